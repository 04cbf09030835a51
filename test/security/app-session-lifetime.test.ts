import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { resolveConfig } from '../../src/config/resolve.js';
import { ConfigError, type KvStore, MemoryKvStore, type OAuthRouterOptions } from '../../src/index.js';
import { meStatus, newAppSession, refresh, type SessionTokens } from '../helpers/app-session.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';

// A bearer session that keeps refreshing must still end: a stolen refresh token (or a device that was lost while
// signed in) would otherwise be good forever, as long as it is used more often than the refresh-token TTL.
const APP = 'myapp://auth/callback';
const redis = useRedis();

describe('app session absolute lifetime', () => {
  const LIFETIME = 3;
  const stack = useStack(() => ({
    redisUrl: redis().url,
    router: { appCallbacks: { allowedRedirects: [APP], sessionLifetimeSeconds: LIFETIME } },
  }));

  it('stores no token longer than its session may live (every TTL capped at what is left)', async () => {
    const tokens = await newAppSession(stack(), APP);
    const ttl = async (kind: string, secret: string) =>
      redis()
        .client()
        .pttl(`oar:bearer:${kind}:${createHash('sha256').update(secret).digest('base64url')}`);
    for (const [kind, secret] of [
      ['refresh', tokens.refreshToken],
      ['access', tokens.accessToken],
    ] as const) {
      const left = await ttl(kind, secret);
      expect([kind, left > 0 && left <= LIFETIME * 1000]).toEqual([kind, true]);
    }
  });

  it('ends a session that keeps refreshing once its absolute lifetime is over', async () => {
    const started = Date.now();
    let current = await newAppSession(stack(), APP);
    // Token lifetimes are capped at what is left of the session.
    expect(current.expiresIn).toBeLessThanOrEqual(LIFETIME);
    let refreshes = 0;
    let ended: Response | undefined;
    // Refresh every quarter second, far more often than any TTL: without an absolute limit this never ends. The
    // first refresh goes at once, so a slow sign-in on a busy machine cannot use up the lifetime before it.
    while (!ended && Date.now() - started < 20_000) {
      const res = await refresh(stack(), current.refreshToken);
      if (res.status === 200) {
        current = res.body as SessionTokens;
        expect(current.expiresIn).toBeLessThanOrEqual(LIFETIME);
        refreshes += 1;
        await sleep(250);
      } else {
        ended = res;
      }
    }
    expect(refreshes).toBeGreaterThan(0);
    expect(ended?.status).toBe(400);
    expect(ended?.body).toMatchObject({ error: 'invalid_grant' });
    expect(await meStatus(stack(), current.accessToken)).toBe(401);
  }, 30_000);
});

describe('appCallbacks.sessionLifetimeSeconds', () => {
  const options = (appCallbacks: Record<string, unknown>, extra: Partial<OAuthRouterOptions> = {}) =>
    ({
      baseUrl: 'https://app.example.com',
      redis: 'redis://127.0.0.1:1',
      session: { secret: 'x'.repeat(40) },
      providers: { acme: { issuer: 'https://id.acme.example', clientId: 'id', clientSecret: 'secret' } },
      logger: { warn: () => {}, error: () => {} },
      appCallbacks: { allowedRedirects: [APP], ...appCallbacks },
      ...extra,
    }) as OAuthRouterOptions;
  const problemsOf = (options: OAuthRouterOptions): string[] => {
    try {
      resolveConfig(options, {});
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return [...(err as ConfigError).problems];
    }
    return [];
  };

  it('defaults to 30 days', () => {
    expect(resolveConfig(options({}), {}).appCallbacks?.sessionLifetime).toBe(2_592_000);
  });

  it.each([0, -1, 1.5, '3600', 366 * 86_400])('refuses %p, naming the field and the default', (value) => {
    expect(problemsOf(options({ sessionLifetimeSeconds: value }))).toEqual([
      'appCallbacks.sessionLifetimeSeconds must be a whole number of seconds from 1 to 31536000: default is 2592000',
    ]);
  });

  it('refuses a custom kvStore without setIfAbsent when app sessions are on', () => {
    const store = {
      get: async () => null,
      set: async () => {},
      take: async () => null,
      delete: async () => {},
    } as unknown as KvStore;
    expect(problemsOf(options({}, { kvStore: store }))).toEqual([
      expect.stringMatching(/^kvStore\.setIfAbsent is missing: .*implement it/),
    ]);
    expect(problemsOf(options({}, { kvStore: new MemoryKvStore() }))).toEqual([]);
  });
});
