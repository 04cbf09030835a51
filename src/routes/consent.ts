import type { ResolvedProvider } from '../config/types.js';
import type { RouterContext } from '../context.js';

/** Whether a login leaves out the consent screen the configuration asks for only to obtain a refresh token. */
export interface ConsentPlan {
  /** Leave `prompt=consent` out of the authorization request. */
  skip: boolean;
  /**
   * If the grant then comes back without a refresh token and none is held, go back to the provider once with
   * consent (the callback does it): Google sends a refresh token only when the user sees the consent screen.
   */
  retryIfNoRefreshToken: boolean;
}

/** The configuration's consent, as is. */
export const ASK_CONSENT: ConsentPlan = { skip: false, retryIfNoRefreshToken: false };

/**
 * Decides whether a login can skip the consent that integration mode adds only to get a refresh token:
 * - a signed-in user who holds one for this provider: skip (their refresh token stays);
 * - a signed-in user who holds none: ask;
 * - nobody signed in (the user is not known yet): ask, except at a provider that sends a refresh token on a
 *   user's first consent (Google), where the login skips it and the callback comes back with consent only if
 *   neither the grant nor the store has a refresh token.
 */
export async function consentPlan(
  context: RouterContext,
  provider: ResolvedProvider,
  userId: string | undefined,
): Promise<ConsentPlan> {
  if (!provider.consentForRefreshToken || !context.vault) return ASK_CONSENT;
  if (userId !== undefined) {
    return (await context.vault.holdsRefreshToken(userId, provider.name))
      ? { skip: true, retryIfNoRefreshToken: false }
      : ASK_CONSENT;
  }
  return provider.refreshTokenOnFirstConsent ? { skip: true, retryIfNoRefreshToken: true } : ASK_CONSENT;
}
