import { describe, expect, it } from '@jest/globals';
import { diagnose } from '../../src/cli/doctor.js';
import { Browser } from '../helpers/browser.js';
import { CLIENT_SECRET, type Stack, signIn, startStack, TEST_SECRET } from '../helpers/stack.js';

// Client authentication at the token endpoint: HTTP Basic is RFC 6749's default, but some self-hosted providers
// refuse it (answering unauthorized_client, or a 400 with an empty body) or list only client_secret_post.
async function withStack(options: Parameters<typeof startStack>[0], run: (s: Stack) => Promise<void>) {
  const stack = await startStack(options);
  try {
    await run(stack);
  } finally {
    await stack.close();
  }
}

/** What a provider that refuses HTTP Basic client authentication answers to a token request that uses it. */
function refuseBasic(stack: Stack, answer: 'empty' | 'unauthorized_client'): void {
  stack.op.intercept = (req, res) => {
    if (!req.url?.startsWith('/token') || !req.headers.authorization?.startsWith('Basic ')) return false;
    if (answer === 'empty') {
      res.writeHead(400).end();
    } else {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'unauthorized_client' }));
    }
    return true;
  };
}

const doctorOptions = (s: Stack) => ({
  baseUrl: s.baseUrl,
  session: { secret: TEST_SECRET },
  providers: { acme: { issuer: s.op.issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET } },
});

describe('token endpoint client authentication', () => {
  it('uses client_secret_post when discovery lists it and not Basic', () =>
    withStack(
      {
        op: { configuration: { clientAuthMethods: ['client_secret_post'] } },
        client: { token_endpoint_auth_method: 'client_secret_post' },
      },
      async (s) => {
        // oidc-provider itself takes either method; a provider that lists only post also refuses Basic.
        refuseBasic(s, 'empty');
        expect((await signIn(s, new Browser())).status).toBe(200);
        expect(await diagnose(doctorOptions(s), {})).toContainEqual({
          level: 'ok',
          subject: 'acme',
          message: 'client id and secret accepted',
        });
      },
    ));

  it.each(['empty', 'unauthorized_client'] as const)(
    'names the fix in the log and in doctor when the provider refuses Basic (%s answer)',
    (answer) =>
      withStack({}, async (s) => {
        refuseBasic(s, answer);
        const res = await signIn(s, new Browser());
        expect(res.status).toBe(502);
        expect(await res.json()).toMatchObject({ error: 'provider_error' });
        expect(s.logs.map((l) => l.message).join('\n')).toMatch(
          /refuse HTTP Basic client authentication: set tokenEndpointAuthMethod: 'client_secret_post'/,
        );
        expect(await diagnose(doctorOptions(s), {})).toContainEqual({
          level: 'fail',
          subject: 'acme',
          message: expect.stringMatching(
            /refuses HTTP Basic client authentication but accepts client_secret_post: set tokenEndpointAuthMethod: 'client_secret_post'/,
          ),
        });
      }),
  );

  it('signs in with client_secret_post configured against a provider that refuses Basic', () =>
    withStack(
      {
        providers: (issuer) => ({
          acme: {
            issuer,
            clientId: 'acme-app',
            clientSecret: CLIENT_SECRET,
            tokenEndpointAuthMethod: 'client_secret_post',
          },
        }),
      },
      async (s) => {
        refuseBasic(s, 'empty');
        expect((await signIn(s, new Browser())).status).toBe(200);
      },
    ));
});

describe('doctor: correct credentials never give a warning', () => {
  it('accepts credentials that the provider authenticated before refusing the probe grant', () =>
    withStack({ client: { grant_types: ['authorization_code', 'refresh_token'] } }, async (s) => {
      const findings = await diagnose(doctorOptions(s), {});
      expect(findings.filter((f) => f.subject === 'acme' && f.level !== 'ok')).toEqual([]);
      expect(findings).toContainEqual({
        level: 'ok',
        subject: 'acme',
        message: expect.stringMatching(/^client id and secret accepted/),
      });
    }));
});
