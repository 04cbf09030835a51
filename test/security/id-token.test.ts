import { describe, expect, it } from '@jest/globals';
import { flowStateKey } from '../../src/flow/flow-state.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { authorize, CLIENT_SECRET, sendCallback, startStack } from '../helpers/stack.js';

const redis = useRedis();
const stack = useStack(() => ({ redisUrl: redis().url }));

describe('id_token and issuer validation', () => {
  it('rejects an id_token whose nonce is not the one of this login', async () => {
    const browser = new Browser();
    const response = await authorize(stack(), browser);
    // Swap the stored nonce, as if the code (and its id_token) had been issued to a different login.
    const client = redis().client();
    const key = flowStateKey('oar:', response.url.searchParams.get('state') as string);
    const record = JSON.parse((await client.get(key)) as string) as { nonce: string };
    record.nonce = 'a-nonce-of-another-login-aaaaaaaaaaaaaaaaaaaa';
    await client.set(key, JSON.stringify(record), 'EX', 60);
    const res = await sendCallback(browser, response);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'provider_error' });
    expect(stack().logs.some((l) => l.message.includes('"nonce" claim'))).toBe(true);
  });

  it('rejects an authorization response whose iss is another issuer (mix-up, RFC 9207)', async () => {
    const browser = new Browser();
    const response = await authorize(stack(), browser);
    expect(response.url.searchParams.get('iss')).toBe(stack().op.issuer);
    response.url.searchParams.set('iss', 'https://attacker.example');
    const res = await sendCallback(browser, response);
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'provider_error' });
  });

  it('refuses a provider whose discovery document names a different issuer', async () => {
    const misconfigured = await startStack({
      redisUrl: redis().url,
      // The document at this URL says its issuer is the OP's root, not ".../tenant".
      providers: (issuer) => ({
        acme: { issuer: `${issuer}/tenant`, clientId: 'acme-app', clientSecret: CLIENT_SECRET },
      }),
    });
    try {
      const res = await new Browser().request(misconfigured.url('/auth/acme/login'));
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: 'provider_error' });
    } finally {
      await misconfigured.close();
    }
  });
});
