import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { meStatus, newAppSession, refresh, type SessionTokens } from '../helpers/app-session.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import type { Stack } from '../helpers/stack.js';

// Refresh-token reuse detection (RFC 9700 §4.14.2) must hold however requests interleave: a thief who replays a
// refresh token at the same moment as the app, and a logout that lands in the middle of a refresh. Real Redis, real
// provider, many trials: these are races, and one trial proves little.
const APP = 'myapp://auth/callback';
const TRIALS = 40;
const redis = useRedis();

/** Every token the family ever issued is dead: access tokens get 401, refresh tokens invalid_grant. */
async function aliveTokens(s: Stack, issued: SessionTokens[]): Promise<string[]> {
  const alive: string[] = [];
  for (const tokens of issued) {
    const me = await meStatus(s, tokens.accessToken);
    if (me !== 401) alive.push(`access token answered ${me}`);
  }
  // Refresh the newest last: refreshing any of them must fail, and a success would itself issue live tokens.
  for (const tokens of issued) {
    const res = await refresh(s, tokens.refreshToken);
    if (res.status !== 400) alive.push(`refresh token answered ${res.status}`);
  }
  return alive;
}

describe('app session races', () => {
  const stack = useStack(() => ({
    redisUrl: redis().url,
    router: { appCallbacks: { allowedRedirects: [APP] } },
  }));

  it('revokes the family whoever wins 2 to 4 concurrent refreshes with the same token', async () => {
    const survived: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const session = await newAppSession(stack(), APP);
      const copies = 2 + (trial % 3);
      const answers = await Promise.all(
        Array.from({ length: copies }, () => refresh(stack(), session.refreshToken)),
      );
      const issued = [session];
      for (const answer of answers) {
        if (answer.status === 200) {
          issued.push(answer.body as SessionTokens);
        } else {
          expect(answer.status).toBe(400);
          expect(answer.body).toMatchObject({ error: 'invalid_grant' });
        }
      }
      // At most one presentation can win; every other one is reuse.
      expect(issued.length).toBeLessThanOrEqual(2);
      const alive = await aliveTokens(stack(), issued);
      if (alive.length > 0) survived.push(`trial ${trial} (${copies} copies): ${alive.join(', ')}`);
    }
    expect(survived).toEqual([]);
  }, 120_000);

  it('a logout racing refreshes leaves no token of the family working', async () => {
    const survived: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const session = await newAppSession(stack(), APP);
      // The app keeps refreshing (as it would on every 401) while the user signs out from another screen.
      const chain = (async () => {
        const issued: SessionTokens[] = [];
        let current = session;
        for (let i = 0; i < 4; i++) {
          const res = await refresh(stack(), current.refreshToken);
          if (res.status !== 200) break;
          current = res.body as SessionTokens;
          issued.push(current);
        }
        return issued;
      })();
      await sleep(trial % 5);
      const logout = await requestApp(stack())
        .post('/auth/logout')
        .set({ authorization: `Bearer ${session.accessToken}`, accept: 'application/json' });
      expect(logout.status).toBe(204);
      const issued = [session, ...(await chain)];
      const alive = await aliveTokens(stack(), issued);
      if (alive.length > 0) survived.push(`trial ${trial}: ${alive.join(', ')}`);
    }
    expect(survived).toEqual([]);
  }, 120_000);
});
