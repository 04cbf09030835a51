import { describe, expect, it } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { type StackOptions, signIn, startStack } from '../helpers/stack.js';

async function userinfoCalls(
  options: StackOptions,
): Promise<{ calls: number; user: Record<string, unknown> }> {
  const stack = await startStack(options);
  let calls = 0;
  stack.op.intercept = (req) => {
    if (req.url === '/me') calls += 1;
    return false;
  };
  try {
    const res = await signIn(stack, new Browser(), { email: 'claims@example.test', name: 'Claims' });
    return { calls, user: ((await res.json()) as { user: Record<string, unknown> }).user };
  } finally {
    await stack.close();
  }
}

describe('UserInfo', () => {
  it('is read when the id_token carries only sub (a conforming provider)', async () => {
    const { calls, user } = await userinfoCalls({});
    expect(calls).toBe(1);
    expect(user).toMatchObject({ email: 'claims@example.test', emailVerified: true, name: 'Claims' });
  });

  it('is skipped when the id_token already carries the email and profile claims', async () => {
    // oidc-provider then puts the scope's claims in the id_token, as Google does.
    const { calls, user } = await userinfoCalls({ op: { configuration: { conformIdTokenClaims: false } } });
    expect(calls).toBe(0);
    expect(user).toMatchObject({ email: 'claims@example.test', emailVerified: true, name: 'Claims' });
  });
});
