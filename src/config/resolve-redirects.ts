import { optionalRedirect, tryUrl } from './checks.js';
import { DEFAULTS } from './defaults.js';
import type { OAuthRouterOptions, ResolvedConfig } from './types.js';

/** Where the router sends browsers, and where `returnTo` may point. */
type Redirects = Pick<
  ResolvedConfig,
  'allowedReturnToOrigins' | 'successRedirect' | 'failureRedirect' | 'logoutRedirect' | 'signInPath'
>;

/**
 * Resolves the redirect options: the origins `returnTo` may point at besides `baseUrl`'s, the landing pages after
 * sign-in, failure and logout, and where `requireAuth()` sends browsers.
 *
 * @param input - The options as the app passed them.
 * @param baseUrl - The parsed `baseUrl`, if it was valid.
 * @param mountPath - The resolved mount path.
 * @param firstProvider - The first configured provider, whose login route is the default sign-in path.
 * @param problems - Where problems are collected.
 * @returns The redirect settings.
 */
export function resolveRedirects(
  input: OAuthRouterOptions,
  baseUrl: URL | undefined,
  mountPath: string,
  firstProvider: string | undefined,
  problems: string[],
): Redirects {
  const allowedReturnToOrigins = new Set<string>();
  for (const [i, origin] of (input.allowedReturnToOrigins ?? DEFAULTS.allowedReturnToOrigins).entries()) {
    const url = tryUrl(origin);
    if (!url || url.origin !== origin || !/^https?:$/.test(url.protocol)) {
      problems.push(
        `allowedReturnToOrigins[${i}] must be an origin like https://app.example.com (no path or slash)`,
      );
    } else {
      allowedReturnToOrigins.add(url.origin);
    }
  }
  const successRedirect = optionalRedirect(input.successRedirect, 'successRedirect', problems);
  const failureRedirect = optionalRedirect(input.failureRedirect, 'failureRedirect', problems);
  const logoutRedirect = optionalRedirect(input.logoutRedirect, 'logoutRedirect', problems);
  const signInPath =
    optionalRedirect(input.signInPath, 'signInPath', problems) ??
    `${baseUrl?.pathname.replace(/\/$/, '') ?? ''}${mountPath}/${firstProvider ?? ''}/login`;
  return { successRedirect, failureRedirect, logoutRedirect, signInPath, allowedReturnToOrigins };
}
