/**
 * A development OpenID provider: the real `oidc-provider` package (OpenID Certified) on a loopback port, with a
 * login form that accepts any name and email. The example app uses it so the whole flow can be clicked through
 * without a Google account; the tests use it as their real OP.
 */
import './url-parse-polyfill.js';
import { createHash, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';

/** Options of {@link startDevProvider}. */
export interface DevProviderOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1 (use 0.0.0.0 inside a container). */
  host?: string;
  /** Public issuer URL when it differs from http://127.0.0.1:<port> (e.g. http://localhost:4000 from Docker). */
  issuer?: string;
  /** Clients to register (client_id, client_secret, redirect_uris, …). */
  clients: ClientMetadata[];
  /** Access token lifetime in seconds. Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Overrides merged into the oidc-provider configuration (tests use it to break things on purpose). */
  configuration?: Partial<Configuration>;
}

/** A running development provider. */
export interface DevProvider {
  /** The issuer URL, e.g. http://127.0.0.1:4000. */
  issuer: string;
  /** The oidc-provider instance. */
  provider: Provider;
  /** Every account that signed in, by account id. */
  accounts: Map<string, AccountClaims>;
  /** Token endpoint requests so far, by grant_type (successful or not). */
  tokenRequests: Map<string, number>;
  /**
   * Answers a request instead of the provider when it returns true: tests use it to make an endpoint fail
   * (e.g. a 503 from the token endpoint). Undefined: every request reaches the provider.
   */
  intercept: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  /**
   * Revokes every access and refresh token the provider has issued, as a user revoking the app's access (or an
   * administrator) would: the next refresh fails with invalid_grant. For demos and tests.
   */
  revokeAll(): Promise<void>;
  /**
   * The provider's signing key (its JWK Set's `dev-1`): tests sign tokens with it that the real provider would
   * not issue (an expired logout token, one with a nonce) to check that each is refused for its own reason.
   */
  signingKey: KeyObject;
  /** Stops listening. */
  close(): Promise<void>;
}

/** Claims of a development account. */
export interface AccountClaims {
  email: string;
  email_verified: boolean;
  name: string;
}

/**
 * Starts a development OpenID provider on 127.0.0.1.
 *
 * @example
 * ```ts
 * const op = await startDevProvider({ clients: [{ client_id: 'app', client_secret: 's', redirect_uris: [cb] }] });
 * ```
 */
export async function startDevProvider(options: DevProviderOptions): Promise<DevProvider> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const issuer = options.issuer ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, AccountClaims>();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const features: NonNullable<Configuration['features']> = {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    claimsParameter: { enabled: true },
    // A client may revoke only its own tokens (oidc-provider's default policy, stated so it does not warn).
    revocation: {
      enabled: true,
      allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
    },
    rpInitiatedLogout: { enabled: true },
  };
  const configuration: Configuration = {
    clients: options.clients,
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'dev-1', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // A plain page for the provider's own errors (an invalid redirect_uri, a bad request), with nothing echoed.
    async renderError(ctx, out) {
      ctx.type = 'html';
      const error = String(out.error ?? 'error').replace(/[^a-z_]/g, '');
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Development provider error</title></head><body><h1>Development provider error</h1><p id="error">${error}</p></body></html>`;
    },
    ttl: {
      AccessToken: options.accessTokenTtlSeconds ?? 3600,
      ClientCredentials: 3600,
      IdToken: 3600,
      Interaction: 600,
      Grant: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // oidc-provider refuses outgoing requests (back-channel logout, a client's jwks_uri) to special-use addresses,
    // an SSRF guard for production. Here the apps it serves run on loopback: let requests to loopback through.
    fetch: (url, init) => {
      const { hostname } = new URL(url);
      const loopback = hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
      const { dispatcher: _guard, ...rest } = init as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, loopback ? rest : init);
    },
    async findAccount(_ctx, sub) {
      const claims = accounts.get(sub);
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
    ...options.configuration,
    // Features add to these rather than replace them (a test turns on PAR without losing revocation).
    features: { ...features, ...options.configuration?.features } as Configuration['features'],
  };
  const provider = new Provider(issuer, configuration);
  const tokenRequests = new Map<string, number>();
  const grants = new Set<string>();
  const count = (ctx: { oidc: { params?: Record<string, unknown> } }) => {
    const grantType = String(ctx.oidc.params?.grant_type ?? 'unknown');
    tokenRequests.set(grantType, (tokenRequests.get(grantType) ?? 0) + 1);
  };
  provider.on('grant.success', count);
  provider.on('grant.error', count);
  const oidc = provider.callback();
  const dev: DevProvider = {
    issuer,
    provider,
    accounts,
    tokenRequests,
    intercept: undefined,
    signingKey: privateKey,
    async revokeAll() {
      for (const grantId of grants) {
        await provider.AccessToken.revokeByGrantId(grantId);
        await provider.RefreshToken.revokeByGrantId(grantId);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (dev.intercept?.(req, res)) return;
    if (req.url?.startsWith('/interaction/')) {
      handleInteraction(provider, accounts, grants, req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(err instanceof Error ? err.message : 'interaction failed');
      });
      return;
    }
    oidc(req, res);
  });
  return dev;
}

async function handleInteraction(
  provider: Provider,
  accounts: Map<string, AccountClaims>,
  grants: Set<string>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(loginPage(details.uid, String(details.params.client_id)));
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  if (form.get('action') === 'deny') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'The user said no',
    });
    return;
  }
  const email = (form.get('email') ?? '').trim().toLowerCase() || 'dev@example.test';
  const accountId = `dev-${createHash('sha256').update(email).digest('hex').slice(0, 16)}`;
  accounts.set(accountId, {
    email,
    email_verified: form.get('email_verified') === 'true',
    name: (form.get('name') ?? '').trim() || email.split('@')[0] || 'Developer',
  });
  const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  // Claims asked for one by one with the `claims` parameter (OIDC Core §5.5), as Twitch's clients do.
  if (typeof details.params.claims === 'string') {
    const requested = JSON.parse(details.params.claims) as { id_token?: object; userinfo?: object };
    grant.addOIDCClaims([...Object.keys(requested.id_token ?? {}), ...Object.keys(requested.userinfo ?? {})]);
  }
  const grantId = await grant.save();
  grants.add(grantId);
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 10_000) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function loginPage(uid: string, clientId: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Development sign-in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem;color:#222}
label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=email]{width:100%;padding:.5rem;font-size:1rem}
button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem}.note{color:#666;font-size:.9rem}</style></head>
<body><h1>Development provider</h1>
<p class="note">Signing in to <b>${esc(clientId)}</b>. This is a local OpenID provider for development: any name and email work.</p>
<form method="post" action="/interaction/${esc(uid)}">
<label for="name">Name</label><input id="name" name="name" type="text" value="Ada Lovelace">
<label for="email">Email</label><input id="email" name="email" type="email" value="ada@example.test">
<label><input type="checkbox" name="email_verified" value="true" checked> email verified</label>
<button type="submit" name="action" value="login" id="sign-in">Sign in</button>
<button type="submit" name="action" value="deny" id="deny">Cancel</button>
</form></body></html>`;
}
