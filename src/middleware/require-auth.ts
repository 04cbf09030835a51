/**
 * middleware/: what the app puts on its own routes or what wraps every request: requireAuth(), `req.oauth`, the
 * error answer, rate limits, the same-origin check for state-changing routes.
 */
import type { Request, RequestHandler, Response } from 'express';
import { getContext } from '../context.js';
import { OAuthRouterError } from '../errors.js';
import { isPageNavigation } from '../internal/page-navigation.js';
import { sendRedirect } from '../routes/send-redirect.js';
import { readSession } from '../session/cookie-session.js';

/** Options of {@link requireAuth}. */
export interface RequireAuthOptions {
  /** Where to send browser navigations that are not signed in. Default: the router's `signInPath`. */
  signInPath?: string;
  /**
   * Scopes the user must have granted to `provider`. Missing ones answer 403 `insufficient_scope` to API requests,
   * and send page navigations through the provider's login asking for just those (incremental authorization).
   */
  scopes?: string[];
  /** The provider `scopes` refer to. Default: the provider the user signed in with. */
  provider?: string;
}

/**
 * Protects a route: signed-in requests pass with `req.user` set; others get 401 JSON
 * `{ error: 'unauthenticated' }`, or, for a browser page navigation, a 302 to the sign-in page with
 * `returnTo` set to the requested path. Costs nothing beyond what the session middleware already did.
 *
 * @example
 * ```ts
 * app.get('/me', requireAuth(), (req, res) => res.json(req.user));
 * ```
 */
export function requireAuth(options: RequireAuthOptions = {}): RequestHandler {
  const required = options.scopes ?? [];
  return (req, res, next) => {
    if (req.user) {
      if (required.length === 0) {
        next();
        return;
      }
      const oauth = readSession(req)?.oauth;
      const provider = options.provider ?? oauth?.provider ?? '';
      const granted = new Set(oauth?.scopes?.[provider] ?? []);
      const missing = required.filter((scope) => !granted.has(scope));
      if (missing.length === 0) {
        next();
        return;
      }
      askForScopes(req, res, provider, missing);
      return;
    }
    const context = getContext(req);
    if (!context) {
      next(
        new OAuthRouterError(
          'invalid_config',
          'requireAuth() needs app.use(oauthRouter(...)) mounted before it',
        ),
      );
      return;
    }
    res.set('Cache-Control', 'no-store');
    if (isPageNavigation(req)) {
      const target = new URL(options.signInPath ?? context.config.signInPath, context.config.baseUrl);
      target.searchParams.set('returnTo', req.originalUrl);
      sendRedirect(res, 302, `${target.pathname}${target.search}`);
      return;
    }
    const err = new OAuthRouterError('unauthenticated', 'Not signed in');
    res.status(err.status).json(err.toJSON());
  };
}

function askForScopes(req: Request, res: Response, provider: string, missing: string[]): void {
  const context = getContext(req);
  const loginUrl = context ? context.loginUrl(provider) : '';
  res.set('Cache-Control', 'no-store');
  if (context && isPageNavigation(req)) {
    const target = new URL(loginUrl, context.config.baseUrl);
    target.searchParams.set('scope', missing.join(' '));
    target.searchParams.set('returnTo', req.originalUrl);
    sendRedirect(res, 302, `${target.pathname}${target.search}`);
    return;
  }
  const err = new OAuthRouterError('insufficient_scope', `Missing scopes for ${provider}`, { provider });
  res.status(err.status).json({ ...err.toJSON(), provider, missingScopes: missing, loginUrl });
}
