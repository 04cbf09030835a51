/**
 * A user's profile at a provider, normalised to the same shape for every provider.
 */
export interface Profile {
  /** The provider key (`providers.<name>`). */
  provider: string;
  /** The user's stable id at the provider (OIDC `sub`). */
  providerAccountId: string;
  /** Email address, or null when the provider gave none. */
  email: string | null;
  /** True only when the provider asserts it verified the email. Account linking trusts nothing else. */
  emailVerified: boolean;
  /** Display name, or null. */
  name: string | null;
  /** Avatar URL, or null. */
  avatarUrl: string | null;
  /** The claims as the provider sent them (id_token merged with UserInfo). Not stored in the session. */
  raw: Record<string, unknown>;
}

/** What a profile mapper returns: the normalised fields, without `provider` and `raw` (added by the library). */
export type MappedProfile = Omit<Profile, 'provider' | 'raw'>;

/** Options a preset reads besides the common ones (e.g. Microsoft's tenant, Apple's signing key). */
export interface PresetOptions {
  /** Microsoft Entra ID tenant: `common` (default), `organizations`, `consumers`, or a tenant id or domain. */
  tenant?: string;
  /** Apple: the Team ID of the developer account. */
  teamId?: string;
  /** Apple: the Key ID of the Sign in with Apple private key. */
  keyId?: string;
  /** Apple: the PKCS#8 PEM private key (the .p8 file's contents). */
  privateKey?: string;
}

/** Lets a preset's profile hook make authenticated GETs at the provider's API (e.g. GitHub's /user/emails). */
export type ProviderGet = (url: string) => Promise<unknown>;

/**
 * A provider as data: how to reach it, what to ask for, and how to read its profile. One file per preset in
 * `src/providers/`. Quirks are fields with a comment saying why; behaviour that cannot be data is an optional
 * hook (`fetchProfile`, `callbackClaims`, `clientSecret`).
 */
export interface ProviderPreset {
  /** Name on a sign-in button. */
  displayName: string;
  /** `oidc`: discovery, id_token and nonce. `oauth2`: fixed endpoints and a profile endpoint. */
  kind: 'oidc' | 'oauth2';
  /** OIDC issuer (discovery URL without /.well-known). */
  issuer?: (options: PresetOptions) => string;
  /** OAuth 2.0 endpoints. */
  authorizationUrl?: string;
  tokenUrl?: string;
  /** Where the profile is read with the access token. */
  userinfoUrl?: string;
  /** RFC 7009 endpoint, when the provider has one and does not advertise it by discovery. */
  revocationUrl?: string;
  /** Scopes for sign-in, and for integration mode when they differ. */
  scopes: { signin: string[]; integration?: string[] };
  /** Extra authorization parameters, by mode. */
  authorizationParams?: { signin?: Record<string, string>; integration?: Record<string, string> };
  /** Whether the provider supports PKCE; if not, no code_challenge is sent. */
  pkce: boolean;
  /** How the callback arrives. */
  responseMode?: 'query' | 'form_post';
  /** Client authentication at the token endpoint. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Separator of the scope parameter (a few older APIs want a comma). */
  scopeSeparator?: string;
  /**
   * A separator, besides spaces, of the `scope` the token response says was granted, for providers that list it
   * another way than RFC 6749 §3.3 (GitHub: `read:user,user:email`).
   */
  grantedScopeSeparator?: string;
  /**
   * The token endpoint reports errors (`{"error": …}`) with HTTP 200 instead of 400 (RFC 6749 §5.2), which
   * generic clients misread as a malformed success. Such answers are re-read as the 400 they mean.
   */
  tokenErrorsWithStatus200?: boolean;
  /** The token endpoint wants a JSON body instead of the form encoding of RFC 6749 §4.1.3. */
  tokenRequestFormat?: 'form' | 'json';
  /**
   * How id_tokens are signed: `jwks` (default: an asymmetric key from the provider's published JWK Set) or
   * `client_secret` (HMAC with the client secret, OIDC Core §10.1; LINE's web login does this).
   */
  idTokenSignature?: 'jwks' | 'client_secret';
  /**
   * Parameters the login route may pass through to the authorization request, each with the pattern its value
   * must match (e.g. a bot install's `guild_id`). Anything else in the login query is ignored.
   */
  loginParams?: Record<string, RegExp>;
  /**
   * Why this provider may send no refresh token, and the fix; logged when a grant in integration mode arrives
   * without one.
   */
  refreshTokenHint?: string;
  /**
   * The provider issues a refresh token whenever the user sees the consent screen (their first authorization,
   * or `prompt=consent`), and never otherwise (Google). A login of an unknown user then skips consent, and the
   * callback comes back with consent only when no refresh token came and none is held.
   */
  refreshTokenOnFirstConsent?: boolean;
  /**
   * Revokes a token through the provider's own API, for providers without RFC 7009 (GitHub). `revocationUrl` is
   * then that API's base. Resolves true when the provider confirmed (or no longer knows the token), false when
   * this kind of token cannot be revoked there; throws for any other answer.
   */
  revoke?(input: {
    token: string;
    hint: 'access_token' | 'refresh_token';
    clientId: string;
    clientSecret: string | undefined;
    revocationUrl: string;
    fetch: typeof fetch;
  }): Promise<boolean>;
  /** Maps the provider's profile (claims or API answer) to the normalised profile. */
  profile(raw: Record<string, unknown>): MappedProfile;
  /** Completes a profile the provider's main endpoint leaves short (GitHub's hidden email). */
  fetchProfile?(
    raw: Record<string, unknown>,
    get: ProviderGet,
    userinfoUrl: string,
  ): Promise<Record<string, unknown>>;
  /**
   * Completes the claims with what the provider sends beside the code in the callback (Apple's `user` form field,
   * with the name). Those parameters are not signed: a hook may only fill in what the claims lack.
   */
  callbackClaims?(claims: Record<string, unknown>, params: URLSearchParams): Record<string, unknown>;
  /** Computes the client secret at each token request (Apple's ES256 JWT). */
  clientSecret?(options: PresetOptions & { clientId: string }): Promise<string>;
  /** Which options a preset needs besides clientId/clientSecret, for the config check. */
  requiredOptions?: (keyof PresetOptions)[];
}

/** Reads a string (or numeric id) field of a provider answer; anything else, or an empty string, is null. */
export function str(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number') return String(value);
  return null;
}
