import { afterAll, describe, expect, it, jest } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { oauthRouter } from '../../src/index.js';
import { TEST_SECRET } from '../helpers/stack.js';

// express-rate-limit checks its setup on the first requests (e.g. a proxy header that Express does not trust:
// every client would share the proxy's budget). Its findings must reach the app's logger, not stray to stderr.
const lines: string[] = [];
const router = oauthRouter({
  baseUrl: 'http://localhost:3000',
  session: { secret: TEST_SECRET },
  providers: { acme: { issuer: 'http://127.0.0.1:9', clientId: 'id', clientSecret: 'secret' } },
  logger: { warn: (m) => lines.push(m), error: (m) => lines.push(m) },
});
afterAll(() => router.close());

describe("express-rate-limit's own warnings", () => {
  it('go through the configured logger', async () => {
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => {});
    const stdwarn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      // No `trust proxy`, yet the request carries X-Forwarded-For.
      const app = express().use(router);
      await request(app).get('/auth/acme/logout').set('x-forwarded-for', '203.0.113.1');
      await request(app).post('/auth/logout').set('x-forwarded-for', '203.0.113.1');
      expect(lines.some((l) => /express-rate-limit: ERR_ERL_UNEXPECTED_X_FORWARDED_FOR/.test(l))).toBe(true);
      expect(stderr).not.toHaveBeenCalled();
      expect(stdwarn).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
      stdwarn.mockRestore();
    }
  });
});
