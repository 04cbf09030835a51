import { afterAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { oauthRouter } from '../../src/index.js';
import { TEST_SECRET } from '../helpers/stack.js';

const router = oauthRouter({
  baseUrl: 'http://localhost:3000',
  session: { secret: TEST_SECRET },
  providers: { acme: { issuer: 'http://127.0.0.1:9', clientId: 'id', clientSecret: 'secret' } },
  rateLimit: false,
  logger: { warn: () => {}, error: () => {} },
});
const app = express().use(router);
afterAll(() => router.close());
const navigate = { 'sec-fetch-mode': 'navigate', accept: 'text/html' };

describe('sign-out in a browser', () => {
  it.each(['/auth/logout', '/auth/acme/logout'])(
    'GET %s shows a page with a button that posts the sign-out, not "Cannot GET"',
    async (path) => {
      const res = await request(app).get(path).set(navigate);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers.allow).toBe('POST');
      expect(res.text).toContain('<form method="post" action="">');
    },
  );

  it('answers a GET from a script with 405 and Allow: POST', async () => {
    const res = await request(app).get('/auth/logout').set('accept', 'application/json');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.body).toMatchObject({ error: 'invalid_request' });
  });

  it("sends a sign-out form's POST back to the app's root; a script still gets 204", async () => {
    const form = await request(app)
      .post('/auth/logout')
      .set({ ...navigate, origin: 'http://localhost:3000' });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe('/');
    const api = await request(app).post('/auth/logout').set('origin', 'http://localhost:3000');
    expect(api.status).toBe(204);
  });
});
