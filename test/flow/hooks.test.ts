import { describe, expect, it } from '@jest/globals';
import {
  type AppUser,
  type Profile,
  type SignInAttempt,
  SignInDeniedError,
  type SignInVerdict,
} from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis } from '../helpers/lifecycle.js';
import { CLIENT_SECRET, type Stack, type StackOptions, signIn, startStack } from '../helpers/stack.js';
import { newKey } from '../helpers/vault.js';

const redis = useRedis();
const integration = (issuer: string) => ({
  acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' as const },
  other: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' as const },
});
let prefixCounter = 0;

async function withStack(
  router: Partial<NonNullable<StackOptions['router']>>,
  run: (stack: Stack, prefix: string) => Promise<void>,
): Promise<void> {
  const prefix = `hooks${prefixCounter++}:`;
  const stack = await startStack({
    redisUrl: redis().url,
    providers: integration,
    router: { keyPrefix: prefix, tokenEncryption: { keys: { k1: newKey() }, current: 'k1' }, ...router },
  });
  try {
    await run(stack, prefix);
  } finally {
    await stack.close();
  }
}

/** Every key the app holds under its prefix, except the rate limiter's and pending logins (taken at the callback). */
async function keysOf(prefix: string): Promise<string[]> {
  return (await redis().client().keys(`${prefix}*`)).filter((k) => !k.startsWith(`${prefix}flow:`)).sort();
}

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;
const onlyAcme = (attempt: SignInAttempt): SignInVerdict =>
  attempt.profile.email?.endsWith('@acme.test') ? undefined : { deny: 'Use your acme.test account.' };

describe('hooks.onSignIn', () => {
  it('denies with sign_in_denied and the app’s message, leaving no user, link, tokens or session behind', () =>
    withStack({ hooks: { onSignIn: onlyAcme } }, async (stack, prefix) => {
      const before = await keysOf(prefix);
      const browser = new Browser();
      const res = await signIn(stack, browser, { email: 'mallory@elsewhere.test' });
      expect(res.status).toBe(403);
      expect(await json(res)).toEqual({ error: 'sign_in_denied', message: 'Use your acme.test account.' });
      expect(await keysOf(prefix)).toEqual(before);
      expect(res.headers.getSetCookie().some((c) => c.startsWith('oauth.sid='))).toBe(false);
      expect(
        (await browser.request(stack.url('/me'), { headers: { accept: 'application/json' } })).status,
      ).toBe(401);
    }));

  it('lets an allowed sign-in through, telling the hook whether the user is new and what was granted', () => {
    const seen: SignInAttempt[] = [];
    return withStack(
      {
        hooks: {
          onSignIn: (attempt) => {
            seen.push(attempt);
            return onlyAcme(attempt);
          },
        },
      },
      async (stack) => {
        const first = await signIn(stack, new Browser(), { email: 'ada@acme.test' });
        expect(first.status).toBe(200);
        const again = await signIn(stack, new Browser(), { email: 'ada@acme.test' });
        expect(again.status).toBe(200);
        expect(seen.map((a) => [a.provider, a.isNewUser, a.linking, a.user === null])).toEqual([
          ['acme', true, false, true],
          ['acme', false, false, false],
        ]);
        expect(seen[0]?.profile.email).toBe('ada@acme.test');
        expect(seen[0]?.grantedScopes).toEqual(expect.arrayContaining(['openid', 'offline_access']));
        expect(seen[1]?.user?.id).toBe(((await json(first)).user as { id: string }).id);
      },
    );
  });

  it('keeps the data it returns with the session’s user (req.user.data), not in the user repository', () =>
    withStack(
      { hooks: { onSignIn: () => ({ data: { plan: 'pro', orgs: ['acme'] } }) } },
      async (stack, prefix) => {
        const browser = new Browser();
        const res = await signIn(stack, browser, { email: 'grace@acme.test' });
        expect(((await json(res)).user as { data: unknown }).data).toEqual({ plan: 'pro', orgs: ['acme'] });
        const me = await browser.request(stack.url('/me'), { headers: { accept: 'application/json' } });
        expect(((await json(me)).user as { data: unknown }).data).toEqual({ plan: 'pro', orgs: ['acme'] });
        const users = await redis().client().keys(`${prefix}user:*`);
        expect(users).toHaveLength(1);
        for (const key of users) expect(await redis().client().get(key)).not.toContain('"plan"');
      },
    ));

  it('refuses an explicit link it denies: the signed-in user keeps only what they had', () =>
    withStack(
      { hooks: { onSignIn: (a) => (a.linking ? { deny: 'Linking is turned off.' } : undefined) } },
      async (stack, prefix) => {
        const browser = new Browser();
        expect((await signIn(stack, browser, { provider: 'acme', email: 'me@acme.test' })).status).toBe(200);
        const before = await keysOf(prefix);
        browser.jar.delete(new URL(stack.op.issuer).host);
        const res = await signIn(stack, browser, { provider: 'other', email: 'me2@acme.test' });
        expect(res.status).toBe(403);
        expect(await json(res)).toMatchObject({ error: 'sign_in_denied', message: 'Linking is turned off.' });
        expect(await keysOf(prefix)).toEqual(before);
      },
    ));

  it('sends a denied browser navigation to failureRedirect with the code and the app’s message', () =>
    withStack({ hooks: { onSignIn: onlyAcme }, failureRedirect: '/sign-in-failed' }, async (stack) => {
      const res = await signIn(stack, new Browser(), { email: 'x@elsewhere.test' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') as string, stack.origin);
      expect(location.pathname).toBe('/sign-in-failed');
      expect(location.searchParams.get('error')).toBe('sign_in_denied');
      expect(location.searchParams.get('message')).toBe('Use your acme.test account.');
    }));

  it('fails with internal_error, writing nothing, when the hook answers outside its contract', () =>
    withStack(
      { hooks: { onSignIn: (() => ({ allow: true })) as unknown as () => SignInVerdict } },
      async (stack, prefix) => {
        const before = await keysOf(prefix);
        const res = await signIn(stack, new Browser(), { email: 'ada@acme.test' });
        expect(res.status).toBe(500);
        expect(await json(res)).toMatchObject({ error: 'internal_error' });
        expect(await keysOf(prefix)).toEqual(before);
        expect(stack.logs.some((l) => l.message.includes('hooks.onSignIn must return'))).toBe(true);
      },
    ));
});

describe('hooks.findOrCreateUser', () => {
  /** The app's own users table. */
  function appTable() {
    const rows = new Map<string, AppUser>();
    const calls: { profile: Profile; currentUserId: string | undefined }[] = [];
    let next = 100;
    return {
      rows,
      calls,
      findOrCreateUser: async (profile: Profile, context: { currentUserId: string | undefined }) => {
        calls.push({ profile, currentUserId: context.currentUserId });
        if (context.currentUserId) return { id: context.currentUserId };
        if (!profile.email?.endsWith('@acme.test'))
          throw new SignInDeniedError('Ask an admin for an account.');
        const key = `${profile.provider}:${profile.providerAccountId}`;
        let row = rows.get(key);
        if (!row) {
          row = { id: `app-${next++}`, name: `${profile.name} (app)` };
          rows.set(key, row);
        }
        return row;
      },
    };
  }

  it('makes the app’s table the source of truth: its id in the session, no user written by the library', () => {
    const table = appTable();
    return withStack({ hooks: { findOrCreateUser: table.findOrCreateUser } }, async (stack, prefix) => {
      const browser = new Browser();
      const res = await signIn(stack, browser, { email: 'ada@acme.test', name: 'Ada' });
      expect(res.status).toBe(200);
      const user = (await json(res)).user as Record<string, unknown>;
      expect(user).toMatchObject({
        id: 'app-100',
        name: 'Ada (app)',
        email: 'ada@acme.test',
        emailVerified: true,
      });
      const again = await signIn(stack, new Browser(), { email: 'ada@acme.test' });
      expect(((await json(again)).user as { id: string }).id).toBe('app-100');
      const keys = await keysOf(prefix);
      expect(keys.filter((k) => /^[^:]+:(user|account|email|user-accounts):/.test(k))).toEqual([]);
      expect(keys.some((k) => k.includes('app-100'))).toBe(true);
    });
  });

  it('passes the signed-in user’s id when linking, and refuses another user with account_mismatch', () => {
    const table = appTable();
    const hooks = {
      findOrCreateUser: async (profile: Profile, context: { currentUserId: string | undefined }) =>
        profile.email === 'switch@acme.test'
          ? { id: 'someone-else' }
          : table.findOrCreateUser(profile, context),
    };
    return withStack({ hooks }, async (stack) => {
      const browser = new Browser();
      const me = (await json(await signIn(stack, browser, { provider: 'acme', email: 'me@acme.test' })))
        .user as { id: string };
      browser.jar.delete(new URL(stack.op.issuer).host);
      const linked = await signIn(stack, browser, { provider: 'other', email: 'me2@acme.test' });
      expect(((await json(linked)).user as { id: string }).id).toBe(me.id);
      expect(table.calls.at(-1)?.currentUserId).toBe(me.id);
      browser.jar.delete(new URL(stack.op.issuer).host);
      const res = await signIn(stack, browser, { provider: 'other', email: 'switch@acme.test' });
      expect(res.status).toBe(409);
      expect(await json(res)).toMatchObject({ error: 'account_mismatch' });
    });
  });

  it('denies with the message of the SignInDeniedError it throws, writing nothing', () => {
    const table = appTable();
    return withStack({ hooks: { findOrCreateUser: table.findOrCreateUser } }, async (stack, prefix) => {
      const before = await keysOf(prefix);
      const res = await signIn(stack, new Browser(), { email: 'eve@elsewhere.test' });
      expect(res.status).toBe(403);
      expect(await json(res)).toEqual({ error: 'sign_in_denied', message: 'Ask an admin for an account.' });
      expect(await keysOf(prefix)).toEqual(before);
      expect(table.rows.size).toBe(0);
    });
  });
});

describe('hooks configuration', () => {
  it('refuses a hook that is not a function, and findOrCreateUser next to a userRepository', async () => {
    await expect(
      startStack({ redisUrl: redis().url, router: { hooks: { onSignIn: 'yes' as never } } }),
    ).rejects.toThrow(/hooks\.onSignIn must be a function/);
    const { MemoryUserRepository } = await import('../../src/index.js');
    await expect(
      startStack({
        redisUrl: redis().url,
        router: {
          hooks: { findOrCreateUser: async () => ({ id: '1' }) },
          userRepository: new MemoryUserRepository(),
        },
      }),
    ).rejects.toThrow(/hooks\.findOrCreateUser and userRepository are both set/);
  });
});
