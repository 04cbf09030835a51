import { standardClaimsProfile } from '../providers/claims.js';
import { findPreset, PRESETS } from '../providers/index.js';
import { checkEndpoint, rejectUnknownKeys } from './checks.js';
import { readClientAssertionKey } from './client-assertion-key.js';
import { DEFAULTS, RESERVED_AUTHORIZATION_PARAMS } from './defaults.js';
import { STANDARD_LOGIN_PARAMS } from './login-params.js';
import { PROVIDER_KEYS } from './option-keys.js';
import type {
  OAuthRouterOptions,
  ProviderOptions,
  ResolvedOAuth2Provider,
  ResolvedProvider,
  ResolvedProviderBase,
  TokenEndpointAuthMethod,
} from './types.js';

/** Provider names appear in URLs (`/auth/<name>/login`) and in Redis keys. */
const PROVIDER_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Resolves `providers` and `providerFetch`: each provider's preset, endpoints, client authentication, scopes and
 * callback URL.
 *
 * @param input - The options as the app passed them.
 * @param baseUrl - The parsed `baseUrl`, if it was valid.
 * @param mountPath - The resolved mount path.
 * @param problems - Where problems are collected.
 * @returns The valid providers by name, in the order the app listed them.
 */
export function resolveProviders(
  input: OAuthRouterOptions,
  baseUrl: URL | undefined,
  mountPath: string,
  problems: string[],
): Map<string, ResolvedProvider> {
  const providers = new Map<string, ResolvedProvider>();
  let transport: typeof fetch | undefined;
  if (input.providerFetch !== undefined) {
    if (typeof input.providerFetch === 'function') transport = input.providerFetch;
    else problems.push('providerFetch must be a fetch-compatible function, e.g. providerFetch: fetch');
  }
  if (typeof input.providers !== 'object' || input.providers === null || Array.isArray(input.providers)) {
    problems.push(
      'providers is required: set it to an object such as { google: { clientId, clientSecret } }',
    );
  } else {
    const entries = Object.entries(input.providers);
    if (entries.length === 0) problems.push('providers is empty: configure at least one provider');
    for (const [name, options] of entries) {
      const resolved = resolveProvider(name, options, baseUrl, mountPath, transport, problems);
      if (resolved) providers.set(name, resolved);
    }
  }
  return providers;
}

function resolveProvider(
  name: string,
  options: ProviderOptions,
  baseUrl: URL | undefined,
  mountPath: string,
  transport: typeof fetch | undefined,
  problems: string[],
): ResolvedProvider | undefined {
  const at = `providers.${name}`;
  if (!PROVIDER_NAME.test(name)) {
    problems.push(`${at}: provider names must be lowercase letters, digits, - or _ (they appear in URLs)`);
    return undefined;
  }
  if (typeof options !== 'object' || options === null) {
    problems.push(
      `${at} must be an object with clientId and clientSecret (and issuer, unless it is a preset)`,
    );
    return undefined;
  }
  rejectUnknownKeys(options, PROVIDER_KEYS, `${at}.`, problems);
  const before = problems.length;

  const presetName = options.preset ?? (findPreset(name) ? name : undefined);
  const preset = presetName === undefined ? undefined : findPreset(presetName);
  if (presetName !== undefined && !preset) {
    problems.push(
      `${at}.preset "${presetName}" is not a preset: use one of ${Object.keys(PRESETS).join(', ')}`,
    );
    return undefined;
  }
  for (const option of preset?.requiredOptions ?? []) {
    if (typeof options[option] !== 'string' || options[option] === '') {
      problems.push(
        `${at}.${option} is required by the ${presetName} preset: see the preset's documentation`,
      );
    }
  }

  // Asking for offline_access means the app wants to act later without the user: that is integration mode.
  const mode =
    options.mode ?? (options.scopes?.includes('offline_access') ? 'integration' : DEFAULTS.provider.mode);
  let connectOnly = false;
  const kind =
    preset?.kind ??
    (options.issuer !== undefined || options.authorizationUrl === undefined ? 'oidc' : 'oauth2');
  let issuer: URL | undefined;
  let endpoints: ResolvedOAuth2Provider['endpoints'] | undefined;
  if (kind === 'oidc') {
    const issuerText = options.issuer ?? preset?.issuer?.(options);
    if (typeof issuerText !== 'string' || issuerText === '') {
      problems.push(
        `${at}.issuer is required: set it to the provider's issuer URL (discovery reads /.well-known/openid-configuration), or use a preset (${Object.keys(PRESETS).join(', ')})`,
      );
    } else {
      issuer = checkEndpoint(issuerText, `${at}.issuer`, problems);
    }
  } else {
    const url = (
      field: 'authorizationUrl' | 'tokenUrl' | 'userinfoUrl' | 'revocationUrl',
      required: boolean,
    ) => {
      const value = options[field] ?? preset?.[field];
      if (value === undefined) {
        if (required) problems.push(`${at}.${field} is required for a plain OAuth 2.0 provider`);
        return undefined;
      }
      return checkEndpoint(value, `${at}.${field}`, problems);
    };
    const authorizationUrl = url('authorizationUrl', true);
    const tokenUrl = url('tokenUrl', true);
    // Without a profile endpoint an integration provider signs nobody in: it connects an API to the signed-in user.
    connectOnly = mode === 'integration' && (options.userinfoUrl ?? preset?.userinfoUrl) === undefined;
    if (!connectOnly && (options.userinfoUrl ?? preset?.userinfoUrl) === undefined) {
      problems.push(
        `${at}.userinfoUrl is required for a plain OAuth 2.0 provider used to sign in: set it to the endpoint that returns the user's profile, or set ${at}.mode to "integration" to use this provider only to connect its API for a signed-in user`,
      );
    }
    const userinfoUrl = url('userinfoUrl', false);
    const revocationUrl = url('revocationUrl', false);
    if (connectOnly && options.profile !== undefined) {
      problems.push(
        `${at}.profile has nothing to map without ${at}.userinfoUrl: set userinfoUrl to sign people in with this provider, or remove profile`,
      );
    } else if (!preset && !connectOnly && typeof options.profile !== 'function') {
      problems.push(
        `${at}.profile is required for a plain OAuth 2.0 provider: a function mapping its userinfo answer to { providerAccountId, email, emailVerified, name, avatarUrl }`,
      );
    }
    if (authorizationUrl && tokenUrl) endpoints = { authorizationUrl, tokenUrl, userinfoUrl, revocationUrl };
  }

  if (typeof options.clientId !== 'string' || options.clientId === '') {
    problems.push(
      `${at}.clientId is required: set it to the OAuth client ID from the provider's developer console`,
    );
  }
  if (
    options.clientSecret !== undefined &&
    (typeof options.clientSecret !== 'string' || options.clientSecret === '')
  ) {
    problems.push(`${at}.clientSecret must be a non-empty string, or omitted for a public client`);
  }
  const hasSecret = Boolean(options.clientSecret) || preset?.clientSecret !== undefined;
  const authMethod: TokenEndpointAuthMethod =
    options.tokenEndpointAuthMethod ??
    (hasSecret ? (preset?.tokenEndpointAuthMethod ?? DEFAULTS.provider.tokenEndpointAuthMethod) : 'none');
  const clientAssertionKey =
    authMethod === 'private_key_jwt'
      ? readClientAssertionKey(options.clientAssertionKey, at, problems)
      : undefined;
  if (!['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'].includes(authMethod)) {
    problems.push(
      `${at}.tokenEndpointAuthMethod must be client_secret_basic, client_secret_post, private_key_jwt or none`,
    );
  } else if (authMethod !== 'private_key_jwt' && options.clientAssertionKey !== undefined) {
    problems.push(`${at}.clientAssertionKey is only used with tokenEndpointAuthMethod: 'private_key_jwt'`);
  } else if (authMethod !== 'none' && authMethod !== 'private_key_jwt' && !hasSecret) {
    problems.push(
      `${at}.clientSecret is required for tokenEndpointAuthMethod ${authMethod}: copy it from the provider's developer console`,
    );
  }

  if (mode !== 'signin' && mode !== 'integration')
    problems.push(`${at}.mode must be "signin" or "integration"`);
  const presetScopes =
    mode === 'integration' ? (preset?.scopes.integration ?? preset?.scopes.signin) : preset?.scopes.signin;
  const scopes =
    options.scopes ??
    (presetScopes
      ? [...presetScopes]
      : mode === 'integration'
        ? [...DEFAULTS.integrationScopes]
        : [...DEFAULTS.provider.scopes]);
  if (
    !Array.isArray(scopes) ||
    scopes.some((scope) => typeof scope !== 'string' || /\s/.test(scope) || scope === '')
  ) {
    problems.push(`${at}.scopes must be an array of scope strings without spaces`);
  } else if (kind === 'oidc' && !scopes.includes('openid')) {
    problems.push(`${at}.scopes must include "openid" for an OpenID Connect provider`);
  }
  const authorizationParams: Record<string, string> = {
    ...(preset?.authorizationParams?.signin ?? {}),
    ...(mode === 'integration' ? (preset?.authorizationParams?.integration ?? {}) : {}),
    ...(options.authorizationParams ?? DEFAULTS.provider.authorizationParams),
  };
  for (const key of Object.keys(options.authorizationParams ?? {})) {
    if (RESERVED_AUTHORIZATION_PARAMS.has(key)) {
      problems.push(
        `${at}.authorizationParams.${key} is set by the library and cannot be overridden: remove it`,
      );
    } else if (typeof authorizationParams[key] !== 'string') {
      problems.push(`${at}.authorizationParams.${key} must be a string`);
    }
  }
  // Without consent, OIDC providers drop offline_access and issue no refresh token.
  if (mode === 'integration' && Array.isArray(scopes) && scopes.includes('offline_access') && !preset) {
    authorizationParams.prompt ??= 'consent';
  }
  // Consent the library asks for only to get a refresh token is skipped when the signed-in user holds one.
  const consentForRefreshToken =
    mode === 'integration' &&
    authorizationParams.prompt === 'consent' &&
    options.authorizationParams?.prompt === undefined;
  const loginParams = resolveLoginParams(
    options.loginParams ?? DEFAULTS.provider.loginParams,
    preset?.loginParams,
    at,
    problems,
  );
  const responseMode = options.responseMode ?? preset?.responseMode ?? DEFAULTS.provider.responseMode;
  if (responseMode !== 'query' && responseMode !== 'form_post') {
    problems.push(`${at}.responseMode must be "query" or "form_post"`);
  }
  const par = options.pushedAuthorizationRequests;
  if (par !== undefined && typeof par !== 'boolean') {
    problems.push(`${at}.pushedAuthorizationRequests must be true or false`);
  } else if (par === true && kind !== 'oidc') {
    problems.push(
      `${at}.pushedAuthorizationRequests needs an OpenID provider (issuer): its discovery document names the PAR endpoint`,
    );
  }
  if (options.backchannelLogout !== undefined && typeof options.backchannelLogout !== 'boolean') {
    problems.push(`${at}.backchannelLogout must be true or false`);
  } else if (options.backchannelLogout === true && kind !== 'oidc') {
    problems.push(
      `${at}.backchannelLogout needs an OpenID provider (issuer): logout tokens are signed JWTs it issues`,
    );
  }
  if (options.profile !== undefined && typeof options.profile !== 'function') {
    problems.push(`${at}.profile must be a function`);
  }
  if (problems.length > before) return undefined;

  const base = baseUrl ? baseUrl.href.replace(/\/$/, '') : '';
  const secretFactory = preset?.clientSecret;
  const clientId = options.clientId;
  const common: ResolvedProviderBase = {
    name,
    pkce: preset?.pkce ?? DEFAULTS.preset.pkce,
    scopeSeparator: preset?.scopeSeparator ?? DEFAULTS.preset.scopeSeparator,
    tokenErrorsWithStatus200: preset?.tokenErrorsWithStatus200 ?? DEFAULTS.preset.tokenErrorsWithStatus200,
    tokenRequestFormat:
      options.tokenRequestFormat ?? preset?.tokenRequestFormat ?? DEFAULTS.provider.tokenRequestFormat,
    idTokenSignature: preset?.idTokenSignature ?? DEFAULTS.preset.idTokenSignature,
    loginParams,
    consentForRefreshToken,
    refreshTokenHint: preset?.refreshTokenHint,
    pushedAuthorizationRequests: options.pushedAuthorizationRequests,
    backchannelLogout: options.backchannelLogout ?? DEFAULTS.provider.backchannelLogout,
    refreshTokenOnFirstConsent: preset?.refreshTokenOnFirstConsent ?? false,
    mapProfile: options.profile ?? preset?.profile ?? standardClaimsProfile,
    fetchProfile: preset?.fetchProfile,
    clientSecretFactory: secretFactory ? () => secretFactory({ ...options, clientId }) : undefined,
    clientAssertionKey,
    endSessionOnLogout: options.endSessionOnLogout ?? DEFAULTS.provider.endSessionOnLogout,
    preset: presetName,
    clientId,
    clientSecret: options.clientSecret,
    scopes,
    authorizationParams,
    responseMode,
    tokenEndpointAuthMethod: authMethod,
    authMethodFromDiscovery:
      kind === 'oidc' &&
      hasSecret &&
      options.tokenEndpointAuthMethod === undefined &&
      !preset?.tokenEndpointAuthMethod,
    fetchUserInfo: options.fetchUserInfo ?? DEFAULTS.provider.fetchUserInfo,
    displayName: options.displayName ?? preset?.displayName ?? name,
    mode,
    connectOnly,
    revokeOnLogout: options.revokeOnLogout ?? DEFAULTS.provider.revokeOnLogout,
    redirectUri: `${base}${mountPath}/${name}/callback`,
    allowInsecureRequests: [issuer, endpoints?.authorizationUrl, endpoints?.tokenUrl].some(
      (u) => u?.protocol === 'http:',
    ),
    fetch: transport,
  };
  // Both are set when no problem was recorded for this provider (checked above).
  if (kind === 'oidc' && issuer) return { ...common, kind, issuer };
  if (kind === 'oauth2' && endpoints) return { ...common, kind, endpoints };
  return undefined;
}

/** The login query parameters a provider passes through: its preset's, plus the standard ones the app allows. */
function resolveLoginParams(
  allowed: unknown,
  fromPreset: Readonly<Record<string, RegExp>> | undefined,
  at: string,
  problems: string[],
): Record<string, RegExp> {
  const params: Record<string, RegExp> = { ...(fromPreset ?? DEFAULTS.preset.loginParams) };
  if (!Array.isArray(allowed)) {
    problems.push(`${at}.loginParams must be an array of parameter names, e.g. ['prompt', 'login_hint']`);
    return params;
  }
  for (const name of allowed) {
    const pattern = typeof name === 'string' ? STANDARD_LOGIN_PARAMS[name] : undefined;
    if (pattern === undefined || !Object.hasOwn(STANDARD_LOGIN_PARAMS, name as string)) {
      problems.push(
        `${at}.loginParams: ${JSON.stringify(name)} cannot be passed through; allowed: ${Object.keys(STANDARD_LOGIN_PARAMS).join(', ')}`,
      );
    } else {
      params[name as string] = pattern;
    }
  }
  return params;
}
