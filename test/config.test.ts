import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { providerFetch, transportOf } from '../src/client/transport.js';
import { DEFAULTS } from '../src/config/defaults.js';
import { NESTED_OPTION_KEYS, TOP_LEVEL_KEYS } from '../src/config/option-keys.js';
import { resolveConfig } from '../src/config/resolve.js';
import { ConfigError, type OAuthRouterOptions, oauthRouter } from '../src/index.js';

const SECRET = 'x'.repeat(40);
const valid = (): OAuthRouterOptions => ({
  baseUrl: 'https://app.example.com',
  redis: 'redis://127.0.0.1:1',
  session: { secret: SECRET },
  providers: { acme: { issuer: 'https://id.acme.example', clientId: 'id', clientSecret: 'secret' } },
});
const quiet = { warn: () => {}, error: () => {} };

function problemsOf(options: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    resolveConfig({ logger: quiet, ...(options as OAuthRouterOptions) }, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('invalid_config');
    return [...(err as ConfigError).problems];
  }
  return [];
}

describe('cookie security follows baseUrl', () => {
  const session = (baseUrl: string, extra: object = {}) =>
    resolveConfig({ ...valid(), baseUrl, logger: quiet, session: { secret: SECRET, ...extra } }, {}).session;

  it('gives Secure, __Host- cookies to an https baseUrl and plain ones to http://localhost', () => {
    expect(session('https://app.example.com')).toMatchObject({
      secure: true,
      cookieName: '__Host-oauth.sid',
    });
    expect(session('http://localhost:3000')).toMatchObject({ secure: false, cookieName: 'oauth.sid' });
    expect(session('http://127.0.0.1:3000')).toMatchObject({ secure: false });
  });

  it('refuses session.secure: true with an http baseUrl, naming the fix', () => {
    expect(
      problemsOf({ ...valid(), baseUrl: 'http://localhost:3000', session: { secret: SECRET, secure: true } }),
    ).toEqual([
      expect.stringMatching(
        /^session\.secure is true but baseUrl is http:\/\/localhost:3000.*remove session\.secure/,
      ),
    ]);
  });
});

describe('session.cookieName', () => {
  it('prefixes a custom name with __Host- when cookies are Secure, and keeps a name that has it', () => {
    const named = (cookieName: string) =>
      resolveConfig({ ...valid(), logger: quiet, session: { secret: SECRET, cookieName } }, {}).session
        .cookieName;
    expect(named('myapp.sid')).toBe('__Host-myapp.sid');
    expect(named('__Host-myapp.sid')).toBe('__Host-myapp.sid');
  });

  it('refuses a __Host- name without Secure cookies, naming the fix', () => {
    const problems = problemsOf({
      ...valid(),
      baseUrl: 'http://localhost:3000',
      session: { secret: SECRET, secure: false, cookieName: '__Host-myapp.sid' },
    });
    expect(problems).toEqual([expect.stringMatching(/^session\.cookieName .*drop the prefix/)]);
  });
});

describe('resolveConfig', () => {
  it('accepts a minimal configuration and fills the defaults', () => {
    const config = resolveConfig({ ...valid(), logger: quiet }, {});
    expect(config.mountPath).toBe('/auth');
    expect(config.session).toMatchObject({
      cookieName: '__Host-oauth.sid',
      maxAgeSeconds: 2_592_000,
      secure: true,
      sameSite: 'lax',
    });
    expect(config.stateTtlSeconds).toBe(300);
    expect(config.signInPath).toBe('/auth/acme/login');
    const acme = config.providers.get('acme');
    expect(acme).toMatchObject({
      scopes: ['openid', 'email', 'profile'],
      redirectUri: 'https://app.example.com/auth/acme/callback',
      tokenEndpointAuthMethod: 'client_secret_basic',
      responseMode: 'query',
    });
    expect(config.bindingCookie).toEqual({ name: '__Host-oauth.flow', sameSite: 'lax' });
  });

  it('names the field and the fix for a missing secret', () => {
    const problems = problemsOf({ ...valid(), session: {} });
    expect(problems).toEqual([
      expect.stringMatching(/^session\.secret is required: set it to a random string/),
    ]);
  });

  it('refuses a short secret, and accepts an array of secrets for rotation', () => {
    expect(problemsOf({ ...valid(), session: { secret: 'short' } })).toEqual([
      expect.stringMatching(/session\.secret is too short/),
    ]);
    expect(problemsOf({ ...valid(), session: { secret: [SECRET, `${SECRET}old`] } })).toEqual([]);
  });

  it('names a provider without clientId', () => {
    const problems = problemsOf({ ...valid(), providers: { acme: { issuer: 'https://id.acme.example' } } });
    expect(problems).toEqual([
      expect.stringMatching(/^providers\.acme\.clientId is required: set it to the OAuth client ID/),
    ]);
  });

  it('refuses an http issuer outside loopback and allows it on loopback', () => {
    const remote = problemsOf({
      ...valid(),
      providers: { acme: { issuer: 'http://id.acme.example', clientId: 'id' } },
    });
    expect(remote).toEqual([expect.stringMatching(/^providers\.acme\.issuer must use https/)]);
    for (const host of ['localhost:4000', '127.0.0.1:4000', '[::1]:4000']) {
      expect(
        problemsOf({ ...valid(), providers: { acme: { issuer: `http://${host}`, clientId: 'id' } } }),
      ).toEqual([]);
    }
  });

  it('refuses in-memory stores under NODE_ENV=production and only warns in development', () => {
    const { redis: _omit, ...noRedis } = valid();
    expect(problemsOf(noRedis, { NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^redis is required in production/),
    ]);
    const warnings: string[] = [];
    resolveConfig({ ...noRedis, logger: { warn: (m) => warnings.push(m), error: () => {} } }, {});
    expect(warnings).toEqual([expect.stringMatching(/in-memory stores/)]);
  });

  it('allows insecure cookies only for an http loopback baseUrl, never in production', () => {
    expect(problemsOf({ ...valid(), session: { secret: SECRET, secure: false } })).toEqual([
      expect.stringMatching(/^session\.secure may be false only for an http:\/\/localhost baseUrl/),
    ]);
    const local = {
      ...valid(),
      baseUrl: 'http://localhost:3000',
      session: { secret: SECRET, secure: false },
    };
    expect(problemsOf(local)).toEqual([]);
    expect(problemsOf(local, { NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/session\.secure must not be false in production/),
    ]);
  });

  it('rejects unknown keys (typos) at every level', () => {
    const problems = problemsOf({
      ...valid(),
      sesion: {},
      session: { secret: SECRET, maxAge: 1 },
      providers: {
        acme: { issuer: 'https://id.acme.example', clientId: 'id', clientSecret: 's', scope: ['openid'] },
      },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^sesion is not an option: check the spelling/),
      expect.stringMatching(/^session\.maxAge is not an option/),
      expect.stringMatching(/^providers\.acme\.scope is not an option/),
    ]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      baseUrl: 'ftp://x',
      session: { secret: '' },
      providers: { 'Bad Name': {} },
    });
    expect(problems.length).toBeGreaterThanOrEqual(3);
    expect(problems.some((p) => p.startsWith('baseUrl'))).toBe(true);
    expect(problems.some((p) => p.startsWith('session.secret'))).toBe(true);
    expect(problems.some((p) => p.startsWith('providers.Bad Name'))).toBe(true);
  });

  it('refuses overriding protocol parameters, scopes without openid, and an over-long state TTL', () => {
    const problems = problemsOf({
      ...valid(),
      stateTtlSeconds: 3600,
      providers: {
        acme: {
          issuer: 'https://id.acme.example',
          clientId: 'id',
          clientSecret: 's',
          scopes: ['email'],
          authorizationParams: { state: 'fixed', prompt: 'login' },
        },
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stateTtlSeconds must be a whole number from 1 to 600/),
        expect.stringMatching(/^providers\.acme\.scopes must include "openid"/),
        expect.stringMatching(/^providers\.acme\.authorizationParams\.state is set by the library/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('checks the private_key_jwt key at startup, naming the field and never the key', () => {
    const provider = { issuer: 'https://id.acme.example', clientId: 'id' };
    const pkjwt = (clientAssertionKey: unknown) =>
      problemsOf({
        ...valid(),
        providers: {
          acme: {
            ...provider,
            tokenEndpointAuthMethod: 'private_key_jwt',
            clientAssertionKey: clientAssertionKey as string,
          },
        },
      });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(pkjwt(rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }))).toEqual([]);
    expect(pkjwt({ ...rsa.privateKey.export({ format: 'jwk' }), alg: 'PS256', kid: 'k' })).toEqual([]);
    expect(pkjwt(ec.privateKey.export({ format: 'jwk' }))).toEqual([]);
    const secretish = '-----BEGIN PRIVATE KEY-----\nnot-a-key-but-secret-looking\n-----END PRIVATE KEY-----';
    for (const bad of [
      undefined,
      secretish,
      rsa.publicKey.export({ format: 'jwk' }),
      { kty: 'oct', k: 'c2VjcmV0' },
    ]) {
      const problems = pkjwt(bad);
      expect(problems).toEqual([
        expect.stringMatching(/^providers\.acme\.clientAssertionKey must be a private key/),
      ]);
      expect(problems.join()).not.toContain('secret-looking');
    }
    expect(pkjwt({ ...ec.privateKey.export({ format: 'jwk' }), alg: 'RS256' })).toEqual([
      expect.stringMatching(
        /^providers\.acme\.clientAssertionKey: its JWK "alg" RS256 does not fit a ec key/,
      ),
    ]);
    expect(
      problemsOf({
        ...valid(),
        providers: { acme: { ...provider, clientSecret: 's', clientAssertionKey: 'x' } },
      }),
    ).toEqual([
      expect.stringMatching(
        /clientAssertionKey is only used with tokenEndpointAuthMethod: 'private_key_jwt'/,
      ),
    ]);
  });

  it('names the field and the allowed names for a login parameter that cannot be passed through', () => {
    const provider = { issuer: 'https://id.acme.example', clientId: 'id', clientSecret: 's' };
    expect(
      problemsOf({
        ...valid(),
        providers: { acme: { ...provider, loginParams: ['login_hint', 'redirect_uri'] } },
      }),
    ).toEqual([
      'providers.acme.loginParams: "redirect_uri" cannot be passed through; allowed: prompt, login_hint, max_age, ui_locales, acr_values, display',
    ]);
    expect(
      problemsOf({
        ...valid(),
        providers: { acme: { ...provider, loginParams: 'prompt' as unknown as string[] } },
      }),
    ).toEqual([expect.stringMatching(/^providers\.acme\.loginParams must be an array of parameter names/)]);
    expect(
      problemsOf({ ...valid(), providers: { acme: { ...provider, loginParams: ['toString'] } } }),
    ).toHaveLength(1);
  });

  it('uses SameSite=None for the binding cookie when a provider posts its callback', () => {
    const config = resolveConfig(
      {
        ...valid(),
        logger: quiet,
        providers: {
          posting: {
            issuer: 'https://id.example.com',
            clientId: 'id',
            clientSecret: 's',
            responseMode: 'form_post',
          },
        },
      },
      {},
    );
    expect(config.bindingCookie.sameSite).toBe('none');
  });

  it('refuses integration mode without tokenEncryption, and names the fix', () => {
    const problems = problemsOf({
      ...valid(),
      providers: {
        acme: { issuer: 'https://id.acme.example', clientId: 'id', clientSecret: 's', mode: 'integration' },
      },
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^providers\.acme\.mode is "integration" but tokenEncryption is not set: add tokenEncryption: \{ keys:/,
      ),
    ]);
  });

  it('treats a provider that asks for offline_access as integration mode, which needs a key', () => {
    const problems = problemsOf({
      ...valid(),
      providers: {
        acme: {
          issuer: 'https://id.acme.example',
          clientId: 'id',
          clientSecret: 's',
          scopes: ['openid', 'offline_access'],
        },
      },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^providers\.acme\.mode is "integration" but tokenEncryption is not set/),
    ]);
  });

  it('validates tokenEncryption keys and refresh timing', () => {
    const problems = problemsOf({
      ...valid(),
      tokenEncryption: { keys: { k1: 'not-base64-32-bytes' }, current: 'k1' },
      refresh: { skewSeconds: -1, lockTtlSeconds: 0, extra: 1 },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^tokenEncryption\.keys\.k1 must be 32 random bytes in base64/),
        expect.stringMatching(/^refresh\.extra is not an option/),
        expect.stringMatching(/^refresh\.skewSeconds must be a whole number/),
        expect.stringMatching(/^refresh\.lockTtlSeconds must be a number above 0/),
      ]),
    );
  });

  it('rejects unknown tokenEncryption keys (typos)', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(
      problemsOf({ ...valid(), tokenEncryption: { keys: { k1: key }, current: 'k1', curent: 'k1' } }),
    ).toEqual([expect.stringMatching(/^tokenEncryption\.curent is not an option: check the spelling/)]);
  });

  it('asks for offline_access and consent in integration mode unless told otherwise', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = resolveConfig(
      {
        ...valid(),
        logger: quiet,
        tokenEncryption: { keys: { k1: key }, current: 'k1' },
        providers: {
          a: { issuer: 'https://a.example', clientId: 'id', clientSecret: 's', mode: 'integration' },
          b: {
            issuer: 'https://b.example',
            clientId: 'id',
            clientSecret: 's',
            mode: 'integration',
            scopes: ['openid', 'repo'],
            authorizationParams: { prompt: 'select_account' },
          },
        },
      },
      {},
    );
    expect(config.providers.get('a')).toMatchObject({
      scopes: ['openid', 'email', 'profile', 'offline_access'],
      authorizationParams: { prompt: 'consent' },
    });
    expect(config.providers.get('b')).toMatchObject({
      scopes: ['openid', 'repo'],
      authorizationParams: { prompt: 'select_account' },
    });
  });

  it('configures a preset by its name with just the client credentials, or under another key with `preset`', () => {
    const config = resolveConfig(
      {
        ...valid(),
        logger: quiet,
        providers: {
          google: { clientId: 'g', clientSecret: 's' },
          'google-work': { preset: 'google', clientId: 'g2', clientSecret: 's2' },
          github: { clientId: 'h', clientSecret: 's' },
        },
      },
      {},
    );
    expect(config.providers.get('google')).toMatchObject({
      kind: 'oidc',
      preset: 'google',
      displayName: 'Google',
    });
    const google = config.providers.get('google');
    expect(google?.kind === 'oidc' ? google.issuer.href : undefined).toBe('https://accounts.google.com/');
    expect(config.providers.get('google-work')).toMatchObject({ preset: 'google', clientId: 'g2' });
    expect(config.providers.get('github')).toMatchObject({
      kind: 'oauth2',
      scopes: ['read:user', 'user:email'],
    });
  });

  it('names an unknown preset, missing Apple keys, and an incomplete plain OAuth 2.0 provider', () => {
    const problems = problemsOf({
      ...valid(),
      providers: {
        mine: { preset: 'googel', clientId: 'x' },
        apple: { clientId: 'com.example.web' },
        plain: { authorizationUrl: 'https://p.example/authorize', clientId: 'x', clientSecret: 's' },
        insecure: {
          authorizationUrl: 'http://p.example/a',
          tokenUrl: 'https://p.example/t',
          userinfoUrl: 'https://p.example/u',
          clientId: 'x',
          clientSecret: 's',
          profile: () => ({
            providerAccountId: '1',
            email: null,
            emailVerified: false,
            name: null,
            avatarUrl: null,
          }),
        },
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^providers\.mine\.preset "googel" is not a preset: use one of apple, discord/),
        expect.stringMatching(/^providers\.apple\.teamId is required by the apple preset/),
        expect.stringMatching(/^providers\.apple\.keyId is required/),
        expect.stringMatching(/^providers\.apple\.privateKey is required/),
        expect.stringMatching(/^providers\.plain\.tokenUrl is required for a plain OAuth 2.0 provider/),
        expect.stringMatching(/^providers\.plain\.userinfoUrl is required/),
        expect.stringMatching(
          /^providers\.plain\.profile is required for a plain OAuth 2.0 provider: a function/,
        ),
        expect.stringMatching(/^providers\.insecure\.authorizationUrl must use https/),
      ]),
    );
  });

  it('reaches providers through the keep-alive transport unless given a fetch, and refuses a non-function', () => {
    const acme = (options: OAuthRouterOptions) => {
      const provider = resolveConfig(options, {}).providers.get('acme');
      return provider && transportOf(provider);
    };
    expect(acme({ ...valid(), logger: quiet })).toBe(providerFetch);
    const mine: typeof fetch = (input, init) => fetch(input, init);
    expect(acme({ ...valid(), providerFetch: mine, logger: quiet })).toBe(mine);
    expect(problemsOf({ ...valid(), providerFetch: 'undici' })).toEqual([
      expect.stringMatching(
        /^providerFetch must be a fetch-compatible function, e\.g\. providerFetch: fetch/,
      ),
    ]);
  });

  it('validates account linking options', () => {
    expect(problemsOf({ ...valid(), accounts: { linkBy: 'email' } })).toEqual([
      expect.stringMatching(/^accounts\.linkBy must be "verified-email" or "none"/),
    ]);
  });

  it('makes oauthRouter() throw the ConfigError at startup, with a readable message', () => {
    expect(() => oauthRouter({ ...valid(), session: { secret: '' } })).toThrow(
      /Invalid express-oauth-router configuration:\n {2}- session\.secret/,
    );
  });
});

describe("the README's configuration table", () => {
  const NONE = Symbol('no default');
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

  /** Rows of every table whose header starts `| option | default |`: [names, default cell]. */
  function tableRows(): { names: string[]; defaults: string }[] {
    const rows: { names: string[]; defaults: string }[] = [];
    let inTable = false;
    for (const line of readme.split('\n')) {
      if (/^\|\s*option\s*\|\s*default\s*\|/.test(line)) {
        inTable = true;
        continue;
      }
      if (!line.startsWith('|')) inTable = false;
      if (!inTable || /^\|[-\s|]+\|$/.test(line)) continue;
      const [, nameCell = '', defaultCell = ''] = line.split(/(?<!\\)\|/);
      const spans = [...nameCell.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
      // `providers.<name>.authorizationUrl` / `tokenUrl`: a later name without a dot shares the first one's parent.
      const parent = (spans[0] ?? '').slice(0, (spans[0] ?? '').lastIndexOf('.') + 1);
      rows.push({
        names: spans.map((span) => (span.includes('.') ? span : `${parent}${span}`)),
        defaults: defaultCell.trim(),
      });
    }
    return rows;
  }

  /** Every option path, as the table names it; nested objects' own names are allowed but not required. */
  function optionPaths(): { required: string[]; allowed: Set<string> } {
    const required: string[] = [];
    const allowed = new Set<string>();
    for (const key of TOP_LEVEL_KEYS) {
      allowed.add(key);
      const nested: ReadonlySet<string> | undefined =
        NESTED_OPTION_KEYS[key as keyof typeof NESTED_OPTION_KEYS];
      if (nested === undefined) {
        required.push(key);
        continue;
      }
      const prefix = key === 'providers' ? 'providers.<name>.' : `${key}.`;
      for (const child of nested) {
        required.push(`${prefix}${child}`);
        allowed.add(`${prefix}${child}`);
      }
    }
    return { required, allowed };
  }

  /** The default a cell states: a leading number or code span. Prose (`the preset's`, `follows baseUrl`) states none. */
  function statedDefault(cell: string): { value: unknown } | undefined {
    const number = /^\d+/.exec(cell);
    if (number) return { value: Number(number[0]) };
    const literal = /^`([^`]+)`/.exec(cell)?.[1];
    if (literal === undefined) return undefined;
    if (literal === 'true' || literal === 'false') return { value: literal === 'true' };
    if (/^[[{]/.test(literal)) {
      const json = literal.replace(/'/g, '"').replace(/([{,]\s*)([A-Za-z_$][\w$]*)\s*:/g, '$1"$2":');
      return { value: JSON.parse(json) };
    }
    return { value: literal };
  }

  /** A provider's options default from DEFAULTS.provider; every other path mirrors DEFAULTS. */
  function defaultOf(path: string): unknown {
    let value: unknown = DEFAULTS;
    for (const part of path.replace(/^providers\.<name>\./, 'provider.').split('.')) {
      if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return NONE;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  }

  it('has a row for every option key', () => {
    const named = new Set(tableRows().flatMap((row) => row.names));
    expect(optionPaths().required.filter((path) => !named.has(path))).toEqual([]);
  });

  it('names no unknown option', () => {
    const { allowed } = optionPaths();
    const names = tableRows().flatMap((row) => row.names);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !allowed.has(name))).toEqual([]);
  });

  it('states each default as defaults.ts has it', () => {
    const wrong: string[] = [];
    for (const { names, defaults } of tableRows()) {
      const cells = defaults.split(' / ');
      for (const [i, name] of names.entries()) {
        const stated = statedDefault((cells.length === names.length ? cells[i] : defaults)?.trim() ?? '');
        if (stated === undefined) continue;
        const actual = defaultOf(name);
        if (actual === NONE) wrong.push(`${name}: the README says ${defaults}, defaults.ts has no default`);
        else if (!isDeepStrictEqual(stated.value, actual))
          wrong.push(`${name}: the README says ${defaults}, defaults.ts has ${JSON.stringify(actual)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
