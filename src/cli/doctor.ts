import { randomBytes } from 'node:crypto';
import { loadIoredis } from '../adapters/redis/load-ioredis.js';
import { clientCredentialsToken } from '../client/client-credentials.js';
import { createProviderClient } from '../client/provider-client.js';
import { mayMeanBasicRefused } from '../client/provider-errors.js';
import { resolveConfig } from '../config/resolve.js';
import type { OAuthRouterOptions, ResolvedProvider, TokenEndpointAuthMethod } from '../config/types.js';
import { ConfigError, OAuthRouterError } from '../errors.js';

/** One finding: ok, a warning, or a failure that will break sign-in. */
export interface Finding {
  level: 'ok' | 'warn' | 'fail';
  subject: string;
  message: string;
}

/**
 * Checks a configuration the way users of OAuth libraries most often get stuck: the exact redirect URI to
 * register, proxy/host mix-ups, unreachable discovery, features the config relies on, and wrong client
 * credentials (checked with a client-credentials request where the provider allows one).
 *
 * @param options - What the app passes to `oauthRouter()`.
 * @returns The findings, in order.
 */
export async function diagnose(
  options: OAuthRouterOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = (level: Finding['level'], subject: string, message: string) =>
    findings.push({ level, subject, message });
  let config: ReturnType<typeof resolveConfig>;
  try {
    config = resolveConfig(
      {
        ...options,
        logger: {
          warn: (m) => add('warn', 'config', m.replace(/^express-oauth-router: /, '')),
          error: () => {},
        },
      },
      env,
    );
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const problem of err.problems) add('fail', 'config', problem);
      return findings;
    }
    throw err;
  }
  add('ok', 'config', 'valid');
  if (config.baseUrl.protocol === 'http:') {
    add(
      'warn',
      'baseUrl',
      `${config.baseUrl.origin} is plain http: fine for local development (cookies are not Secure), use https in production`,
    );
  } else {
    add(
      'ok',
      'baseUrl',
      `${config.baseUrl.origin}: cookies are Secure, so open the app at this https URL (over plain http the browser gets no session cookie); behind a TLS-terminating proxy, call app.set('trust proxy', 1) so Express sees https and rate limits see client IPs`,
    );
  }
  if (config.session.sameSite === 'strict') {
    add(
      'warn',
      'session',
      'sameSite is strict: the page a sign-in lands on is reached through a redirect chain the provider started, so browsers do not send a Strict cookie with it and the user looks signed out until the next click; use "lax" (the default)',
    );
  }
  for (const redirect of [
    ['successRedirect', config.successRedirect],
    ['failureRedirect', config.failureRedirect],
    ['logoutRedirect', config.logoutRedirect],
  ] as const) {
    const [field, target] = redirect;
    if (target && new URL(target, config.baseUrl).origin !== config.baseUrl.origin) {
      add(
        'warn',
        field,
        `${target} is on another origin than baseUrl, where the session cookie is not sent: the user will look signed out there`,
      );
    }
  }
  for (const provider of config.providers.values()) {
    add('ok', provider.name, `register this redirect URI with the provider: ${provider.redirectUri}`);
    if (provider.backchannelLogout) {
      add(
        'ok',
        provider.name,
        `register this back-channel logout URI with the provider (with "session required"): ${provider.redirectUri.replace(/\/callback$/, '/backchannel-logout')}`,
      );
    }
    if (provider.responseMode === 'form_post' && !config.session.secure) {
      add(
        'fail',
        provider.name,
        `responseMode form_post needs an https baseUrl: the provider's cross-site POST back carries the login's binding cookie only when it is SameSite=None, which browsers accept only with Secure; on ${config.baseUrl.origin} every sign-in would fail with invalid_state`,
      );
    }
    await checkProvider(provider, add);
  }
  if (typeof options.redis === 'string') await checkRedis(options.redis, config.keyPrefix, add);
  return findings;
}

async function checkProvider(
  provider: ResolvedProvider,
  add: (level: Finding['level'], subject: string, message: string) => void,
) {
  const providerClient = createProviderClient(provider);
  let metadata: Record<string, unknown>;
  try {
    metadata = (await providerClient.configuration()).serverMetadata() as Record<string, unknown>;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    add(
      'fail',
      provider.name,
      `cannot read the provider's metadata (${detail}): check issuer, network and TLS`,
    );
    return;
  }
  if (provider.kind === 'oidc') add('ok', provider.name, `discovery ok: issuer ${String(metadata.issuer)}`);
  const supports = (field: string, value: string) =>
    !Array.isArray(metadata[field]) || (metadata[field] as unknown[]).includes(value);
  if (provider.pkce && !supports('code_challenge_methods_supported', 'S256')) {
    add(
      'warn',
      provider.name,
      'the provider does not advertise PKCE S256; sign-in may fail or be less protected',
    );
  }
  if (provider.responseMode === 'form_post' && !supports('response_modes_supported', 'form_post')) {
    add('fail', provider.name, 'responseMode is form_post but the provider does not support it');
  }
  if (provider.revokeOnLogout && !metadata.revocation_endpoint) {
    add(
      'warn',
      provider.name,
      'revokeOnLogout is set but the provider has no revocation endpoint: tokens are only deleted locally',
    );
  }
  if (provider.endSessionOnLogout && !metadata.end_session_endpoint) {
    add('warn', provider.name, 'endSessionOnLogout is set but the provider has no end_session_endpoint');
  }
  const method = providerClient.authMethod();
  if (method === 'none') return;
  if (!supports('grant_types_supported', 'client_credentials')) {
    add(
      'ok',
      provider.name,
      'client credentials cannot be checked without a user here: the first sign-in will tell',
    );
    return;
  }
  const first = await probeCredentials(provider, method);
  if (first.verdict === 'accepted') {
    add('ok', provider.name, `client id and secret accepted${first.detail}`);
    return;
  }
  if (first.verdict === 'unknown') {
    add('warn', provider.name, `could not check the client credentials: ${first.detail}`);
    return;
  }
  // Refused or unclear with HTTP Basic: some providers refuse Basic itself. The same probe in the body tells.
  if (method === 'client_secret_basic' && !provider.clientSecretFactory) {
    const post = await probeCredentials(provider, 'client_secret_post');
    if (post.verdict === 'accepted') {
      add(
        'fail',
        provider.name,
        "the provider refuses HTTP Basic client authentication but accepts client_secret_post: set tokenEndpointAuthMethod: 'client_secret_post'",
      );
      return;
    }
  }
  if (first.verdict === 'rejected') {
    add(
      'fail',
      provider.name,
      'the provider rejected the client id/secret (invalid_client): copy them again from its console',
    );
    return;
  }
  // unauthorized_client means "authenticated, but this grant is not allowed" (RFC 6749 §5.2).
  add('ok', provider.name, `client id and secret accepted${first.detail}`);
}

/**
 * Sends a client-credentials request as a probe of the client id and secret. By RFC 6749 §5.2 a failed client
 * authentication answers `invalid_client`; any other OAuth error means the credentials passed and only the probe
 * grant was refused.
 */
async function probeCredentials(
  provider: ResolvedProvider,
  method: TokenEndpointAuthMethod,
): Promise<{ verdict: 'accepted' | 'rejected' | 'unclear' | 'unknown'; detail: string }> {
  const providerClient = createProviderClient({
    ...provider,
    tokenEndpointAuthMethod: method,
    authMethodFromDiscovery: false,
  });
  try {
    await clientCredentialsToken(providerClient, []);
    return { verdict: 'accepted', detail: '' };
  } catch (err) {
    const code = err instanceof OAuthRouterError ? err.providerError : undefined;
    if (code === 'invalid_client') return { verdict: 'rejected', detail: '' };
    if (code === 'unauthorized_client')
      return {
        verdict: 'unclear',
        detail: ' (the provider then refused the probe grant: unauthorized_client)',
      };
    if (code)
      return {
        verdict: 'accepted',
        detail: ` (the provider then refused the probe grant: ${code}, as expected)`,
      };
    const cause = err instanceof OAuthRouterError ? err.cause : err;
    if (mayMeanBasicRefused(cause)) return { verdict: 'unclear', detail: '' };
    return { verdict: 'unknown', detail: err instanceof Error ? err.message : String(err) };
  }
}

async function checkRedis(
  url: string,
  keyPrefix: string,
  add: (level: Finding['level'], subject: string, message: string) => void,
) {
  const { Redis } = loadIoredis();
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    // INFO is not needed by the library (ioredis treats a NOPERM on its ready check as ready): an ACL may deny it.
    const info = await client.info('server').catch((err: unknown) => {
      if (err instanceof Error && err.message.startsWith('NOPERM')) return undefined;
      throw err;
    });
    const version = info === undefined ? undefined : (/redis_version:(\S+)/.exec(info)?.[1] ?? '?');
    const [major, minor] = (version ?? '').split('.').map(Number);
    if (version !== undefined && ((major ?? 0) < 6 || (major === 6 && (minor ?? 0) < 2))) {
      add('fail', 'redis', `Redis ${version} is too old: GETDEL needs 6.2 or later`);
      return;
    }
    add(
      'ok',
      'redis',
      version
        ? `reachable (Redis ${version})`
        : 'reachable (INFO is denied: the version, 6.2 or later, is not checked)',
    );
    const refused = await refusedCommands(client, keyPrefix);
    if (refused.length === 0)
      add('ok', 'redis', `the user may run every command the library uses on ${keyPrefix}* keys`);
    else
      add(
        'fail',
        'redis',
        `the Redis user may not run ${refused.join(', ')} on ${keyPrefix}* keys (NOPERM): grant the ACL rule in docs/operations.md`,
      );
  } catch (err) {
    add(
      'fail',
      'redis',
      `cannot reach ${new URL(url).host}: ${err instanceof Error ? err.message : String(err)}`,
    );
  } finally {
    client.disconnect();
  }
}

/** Formats findings one per line, with a mark a terminal and a log both read. */
export function formatFindings(findings: Finding[]): string {
  const mark = { ok: '✓', warn: '!', fail: '✗' } as const;
  return findings.map((f) => `${mark[f.level]} ${f.subject}: ${f.message}`).join('\n');
}

/**
 * Runs every command the library sends, on scratch keys under the key prefix, and names those Redis refuses
 * for this user (an ACL without them). Scripts count: Redis checks the commands a script calls too.
 */
async function refusedCommands(
  client: { call(command: string, ...args: string[]): Promise<unknown> },
  keyPrefix: string,
): Promise<string[]> {
  const key = `${keyPrefix}doctor:${randomBytes(6).toString('hex')}`;
  const probes: [string, string[]][] = [
    ['SET', [key, '1', 'EX', '60', 'NX']],
    ['SET', [`${key}:px`, '1', 'PX', '60000', 'NX']],
    ['GET', [key]],
    ['GETDEL', [key]],
    ['INCR', [`${key}:n`]],
    ['DECR', [`${key}:n`]],
    ['PTTL', [`${key}:n`]],
    ['PEXPIRE', [`${key}:n`, '60000']],
    ['EXPIRE', [`${key}:n`, '60']],
    ['HSET', [`${key}:h`, 'f', '1']],
    ['HGET', [`${key}:h`, 'f']],
    ['HGETALL', [`${key}:h`]],
    ['HDEL', [`${key}:h`, 'f']],
    ['SADD', [`${key}:s`, 'm']],
    ['SMEMBERS', [`${key}:s`]],
    ['SREM', [`${key}:s`, 'm']],
    ['RPUSH', [`${key}:l`, 'v']],
    ['LRANGE', [`${key}:l`, '0', '-1']],
    ['LREM', [`${key}:l`, '0', 'v']],
    ['EVAL', ["return redis.call('GET', KEYS[1])", '1', key]],
    ['SCRIPT', ['LOAD', 'return 1']],
    ['EVALSHA', ['e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0']],
    ['DEL', [key, `${key}:px`, `${key}:n`, `${key}:h`, `${key}:s`, `${key}:l`]],
  ];
  const refused: string[] = [];
  for (const [command, args] of probes) {
    try {
      await client.call(command, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOPERM')) {
        const name = command === 'SCRIPT' ? 'SCRIPT LOAD' : command;
        if (!refused.includes(name)) refused.push(name);
      }
    }
  }
  return refused;
}
