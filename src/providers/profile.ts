/** Profile mapping: a provider's raw claims to the normalised {@link Profile}. */
import type { ResolvedProvider } from '../config/types.js';
import { OAuthRouterError } from '../errors.js';
import type { Profile } from './types.js';

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
