/** Profile mapping: a provider's raw claims to the normalised {@link Profile}. */
import type { ResolvedProvider } from '../config/types.js';
import { OAuthRouterError } from '../errors.js';
import type { Profile } from './types.js';

/**
 * Apple posts the user's name once, in a `user` form field beside the code (never in the id_token). It is not
 * signed, so it only ever fills in a missing display name.
 *
 * @param claims - The user's claims.
 * @param params - The callback parameters.
 * @returns The claims, with `name` from the callback when they had none.
 * @example
 * withCallbackName({ sub: '1' }, new URLSearchParams({ user: '{"name":{"firstName":"Ada"}}' })); // { sub: '1', name: 'Ada' }
 */
export function withCallbackName(
  claims: Record<string, unknown>,
  params: URLSearchParams,
): Record<string, unknown> {
  const user = params.get('user');
  if (!user || typeof claims.name === 'string') return claims;
  try {
    const name = (JSON.parse(user) as { name?: { firstName?: unknown; lastName?: unknown } }).name;
    const full = [name?.firstName, name?.lastName]
      .filter((part) => typeof part === 'string' && part !== '')
      .join(' ');
    return full ? { ...claims, name: full.slice(0, 200) } : claims;
  } catch {
    return claims;
  }
}

/**
 * Builds the normalised {@link Profile} with the provider's mapper.
 *
 * @param provider - The resolved provider, whose `mapProfile` reads the claims.
 * @param raw - The claims as the provider sent them.
 * @returns The profile; `emailVerified` is false whenever there is no email.
 * @throws OAuthRouterError `provider_error` when the provider gave no usable account id.
 * @example
 * const profile = toProfile(providerClient.provider, result.claims);
 */
export function toProfile(provider: ResolvedProvider, raw: Record<string, unknown>): Profile {
  const mapped = provider.mapProfile(raw);
  if (
    !mapped.providerAccountId ||
    mapped.providerAccountId === 'undefined' ||
    mapped.providerAccountId === 'null'
  ) {
    throw new OAuthRouterError('provider_error', `${provider.name}: the profile has no account id`, {
      provider: provider.name,
    });
  }
  return {
    ...mapped,
    provider: provider.name,
    emailVerified: mapped.emailVerified && mapped.email !== null,
    raw,
  };
}
