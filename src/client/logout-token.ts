/** OpenID Connect Back-Channel Logout 1.0: validating the logout token a provider posts. */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { ResolvedProvider } from '../config/types.js';
import { OAuthRouterError } from '../errors.js';
import type { ProviderClient } from './provider-client.js';

/** How old a logout token may be (its `iat`), in seconds: the provider sends it as the logout happens. */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 300;
/** Clock skew tolerated between us and the provider, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 60;
const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Who a valid logout token logs out, and its id for replay detection. */
export interface LogoutClaims {
  /** The provider's subject (user), when the token names one. */
  sub: string | undefined;
  /** The provider's session id, when the token names one. */
  sid: string | undefined;
  /** The token's unique id: a token whose `jti` was seen before is a replay. */
  jti: string;
  /** When the token stops being acceptable anyway (ms since the epoch): how long its `jti` must be remembered. */
  acceptableUntil: number;
}

const jwksByProvider = new WeakMap<ResolvedProvider, ReturnType<typeof createRemoteJWKSet>>();

/**
 * Validates a logout token as OpenID Connect Back-Channel Logout 1.0 §2.6 says: a signature by a key of the
 * provider's JWK Set with an asymmetric algorithm, `iss` the provider, `aud` our client id, `iat` recent (and not
 * in the future), `exp` if present not passed, an explicit `typ` if present of `logout+jwt`, the back-channel
 * logout event, `sub` and/or `sid`, no `nonce` (so an id_token can never pass as one), and a `jti`.
 *
 * @param providerClient - The provider whose back-channel route received the token.
 * @param token - The `logout_token` form parameter.
 * @returns The subject and/or session to log out, and the `jti` for the replay check (the caller's).
 * @throws OAuthRouterError `invalid_request` (400) for any token that is not valid, without its content.
 * @example
 * const { sub, sid, jti } = await verifyLogoutToken(providerClient, req.body.logout_token);
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 */
export async function verifyLogoutToken(
  providerClient: ProviderClient,
  token: string,
): Promise<LogoutClaims> {
  const { provider } = providerClient;
  const metadata = (await providerClient.configuration()).serverMetadata();
  const invalid = (why: string, cause?: unknown) =>
    new OAuthRouterError('invalid_request', `${provider.name}: logout token rejected: ${why}`, {
      cause,
      provider: provider.name,
    });
  if (!metadata.jwks_uri) throw invalid('the provider publishes no JWK Set');
  let jwks = jwksByProvider.get(provider);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: 10_000 });
    jwksByProvider.set(provider, jwks);
  }
  let verified: Awaited<ReturnType<typeof jwtVerify>>;
  try {
    verified = await jwtVerify(token, jwks, {
      issuer: metadata.issuer,
      audience: provider.clientId,
      // Asymmetric only: an HMAC or "none" token could be made by anyone holding, or guessing, less than the key.
      algorithms: [
        'RS256',
        'RS384',
        'RS512',
        'PS256',
        'PS384',
        'PS512',
        'ES256',
        'ES384',
        'ES512',
        'EdDSA',
        'Ed25519',
      ],
      maxTokenAge: LOGOUT_TOKEN_MAX_AGE_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['iat', 'jti', 'events'],
    });
  } catch (err) {
    // The provider's JWK Set could not be fetched: not the sender's fault, and worth a retry by the provider.
    if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) {
      throw new OAuthRouterError('provider_error', `${provider.name}: its JWK Set could not be fetched`, {
        cause: err,
        provider: provider.name,
      });
    }
    const why =
      err instanceof errors.JWTClaimValidationFailed
        ? `claim "${err.claim}" ${err.reason}`
        : err instanceof errors.JWTExpired
          ? 'expired'
          : err.code;
    throw invalid(why, err);
  }
  const { payload, protectedHeader } = verified;
  const typ = protectedHeader.typ?.toLowerCase();
  if (typ !== undefined && typ !== 'logout+jwt' && typ !== 'application/logout+jwt')
    throw invalid(`typ is not logout+jwt`);
  const events = payload.events as Record<string, unknown> | undefined;
  const event = events?.[LOGOUT_EVENT];
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw invalid('no back-channel logout event');
  if (payload.nonce !== undefined) throw invalid('it carries a nonce');
  const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
  const sid = typeof payload.sid === 'string' && payload.sid !== '' ? payload.sid : undefined;
  if (!sub && !sid) throw invalid('neither sub nor sid');
  if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 256)
    throw invalid('no usable jti');
  const iat = (payload.iat as number) * 1000;
  const acceptableUntil = iat + (LOGOUT_TOKEN_MAX_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS) * 1000;
  return { sub, sid, jti: payload.jti, acceptableUntil };
}
