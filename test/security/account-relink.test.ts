import { describe, expect, it } from '@jest/globals';
import { RedisTokenRepository, RedisUserRepository } from '../../src/index.js';
import { Browser } from '../helpers/browser.js';
import { useRedis } from '../helpers/lifecycle.js';
import { CLIENT_SECRET, type Stack, signIn, startStack } from '../helpers/stack.js';
import { newKey, vaultRoutes } from '../helpers/vault.js';

// The attack: Rita is signed in; a second pass through the same provider's login (a shared computer, a
// pre-filled form, "Reconnect") is completed by Ada. Ada's provider account must never be attached to Rita.
const redis = useRedis();
const json = { accept: 'application/json' };
let prefixCounter = 0;

async function withStack(
  mode: 'signin' | 'integration',
  run: (stack: Stack, prefix: string) => Promise<void>,
  failureRedirect?: string,
): Promise<void> {
  let issuer = '';
  const keyPrefix = `relink${prefixCounter++}:`;
  const stack = await startStack({
    redisUrl: redis().url,
    providers: (iss) => {
      issuer = iss;
      return {
        acme: { issuer: iss, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode },
        other: { issuer: iss, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode },
      };
    },
    router: {
      keyPrefix,
      ...(mode === 'integration' ? { tokenEncryption: { keys: { k1: newKey() }, current: 'k1' } } : {}),
      ...(failureRedirect ? { failureRedirect } : {}),
    },
    routes: vaultRoutes(() => `${issuer}/me`),
  });
  try {
    await run(stack, keyPrefix);
  } finally {
    await stack.close();
  }
}

const userOf = async (res: Response) => ((await res.json()) as { user: { id: string } }).user;
const me = async (stack: Stack, browser: Browser) =>
  (await (await browser.request(stack.url('/me'), { headers: json })).json()) as { user?: { id: string } };
/** The provider remembers who signed in; forgetting it shows the login form again, where Ada types. */
const forgetProviderLogin = (stack: Stack, browser: Browser) =>
  browser.jar.delete(new URL(stack.op.issuer).host);

describe.each(['signin', 'integration'] as const)('re-login as another account (%s mode)', (mode) => {
  it('fails with account_mismatch and changes nothing: session, user, links and tokens stay', () =>
    withStack(mode, async (stack, prefix) => {
      const rita = new Browser();
      const ritaUser = await userOf(await signIn(stack, rita, { email: 'rita@example.test', name: 'Rita' }));
      const users = new RedisUserRepository(redis().client(), prefix);
      const tokens = new RedisTokenRepository(redis().client(), prefix);
      const linksBefore = await users.listAccounts(ritaUser.id);
      const recordBefore = await tokens.get(ritaUser.id, 'acme');
      const cookiesBefore = JSON.stringify([...(rita.jar.get(new URL(stack.origin).host) ?? [])]);

      forgetProviderLogin(stack, rita);
      const res = await signIn(stack, rita, { email: 'ada@example.test', name: 'Ada' });
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({
        error: 'account_mismatch',
        provider: 'acme',
        expectedAccount: 'r***@example.test',
      });

      expect((await me(stack, rita)).user?.id).toBe(ritaUser.id);
      expect(JSON.stringify([...(rita.jar.get(new URL(stack.origin).host) ?? [])])).toBe(cookiesBefore);
      expect(await users.listAccounts(ritaUser.id)).toEqual(linksBefore);
      expect(await tokens.get(ritaUser.id, 'acme')).toEqual(recordBefore);
      if (mode === 'integration') {
        // Rita's API calls still run as Rita at the provider.
        const profile = await rita.request(stack.url('/api/profile'), { headers: json });
        expect(((await profile.json()) as { body: { email: string } }).body.email).toBe('rita@example.test');
      }

      // The persistent half of the attack: Ada, later, in a fresh browser, must not land in Rita's account.
      const ada = await userOf(await signIn(stack, new Browser(), { email: 'ada@example.test' }));
      expect(ada.id).not.toBe(ritaUser.id);
      expect(await users.listAccounts(ritaUser.id)).toEqual(linksBefore);
    }));

  it('accepts signing in again with the same provider account (reconnect)', () =>
    withStack(mode, async (stack) => {
      const rita = new Browser();
      const first = await userOf(await signIn(stack, rita, { email: 'rita@example.test' }));
      forgetProviderLogin(stack, rita);
      const again = await signIn(stack, rita, { email: 'rita@example.test' });
      expect(again.status).toBe(200);
      expect((await userOf(again)).id).toBe(first.id);
    }));

  it('refuses a second account of an already linked provider even when that account has its own user', () =>
    withStack(mode, async (stack) => {
      await signIn(stack, new Browser(), { email: 'ada@example.test' });
      const rita = new Browser();
      const ritaUser = await userOf(await signIn(stack, rita, { email: 'rita@example.test' }));
      forgetProviderLogin(stack, rita);
      const res = await signIn(stack, rita, { email: 'ada@example.test' });
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({ error: 'account_mismatch' });
      expect((await me(stack, rita)).user?.id).toBe(ritaUser.id);
    }));
});

describe('account_mismatch with failureRedirect', () => {
  it('sends the browser to the failure page with the code and the masked expected account', () =>
    withStack(
      'signin',
      async (stack) => {
        const rita = new Browser();
        await signIn(stack, rita, { email: 'rita@example.test' });
        forgetProviderLogin(stack, rita);
        const res = await signIn(stack, rita, { email: 'ada@example.test' });
        expect(res.status).toBe(302);
        const location = new URL(res.headers.get('location') as string, stack.origin);
        expect(location.pathname).toBe('/login');
        expect(location.searchParams.get('error')).toBe('account_mismatch');
        expect(location.searchParams.get('expected')).toBe('r***@example.test');
      },
      '/login',
    ));
});

describe('connecting another provider while signed in', () => {
  it('still links a provider the user has not linked yet', () =>
    withStack('signin', async (stack) => {
      const rita = new Browser();
      const ritaUser = await userOf(await signIn(stack, rita, { email: 'rita@example.test' }));
      forgetProviderLogin(stack, rita);
      const linked = await signIn(stack, rita, { provider: 'other', email: 'rita.work@example.test' });
      expect(linked.status).toBe(200);
      expect((await userOf(linked)).id).toBe(ritaUser.id);
    }));
});
