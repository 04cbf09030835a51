import type { RequestHandler } from 'express';
import { getBearerFamily, getContext } from '../context.js';
import { OAuthRouterError } from '../errors.js';

/**
 * Refuses state-changing requests sent by another site (CSRF), using what browsers tell us: the `Origin`
 * header, or `Sec-Fetch-Site: cross-site` when there is none. Requests without either (curl, server-to-server)
 * pass; they carry no ambient cookies from a victim's browser. This does not rely on the session cookie being
 * SameSite, which an application may have relaxed.
 */
export function sameOrigin(baseUrl: URL): RequestHandler {
  return (req, _res, next) => {
    // A bearer-authenticated request carries no ambient credential, so it cannot be forged cross-site.
    if (getBearerFamily(req) !== undefined) {
      next();
      return;
    }
    const origin = req.get('origin');
    const site = req.get('sec-fetch-site');
    if (
      (origin !== undefined && origin !== baseUrl.origin) ||
      (origin === undefined && site === 'cross-site')
    ) {
      next(new OAuthRouterError('invalid_request', 'Cross-site request refused', { status: 403 }));
      return;
    }
    next();
  };
}

/**
 * CSRF protection for the application's own state-changing routes (forms that disconnect a provider, delete
 * data…), by the same rule the library's logout route uses: a request whose `Origin` is not the app's, or that a
 * browser marks `Sec-Fetch-Site: cross-site`, answers 403 `invalid_request`. Needs `oauthRouter()` mounted first.
 *
 * @example
 * ```ts
 * app.post('/settings/disconnect/:provider', requireAuth(), requireSameOrigin(), async (req, res) => { … });
 * ```
 */
export function requireSameOrigin(): RequestHandler {
  return (req, res, next) => {
    const context = getContext(req);
    if (!context) {
      next(
        new OAuthRouterError(
          'invalid_config',
          'requireSameOrigin() needs app.use(oauthRouter(...)) mounted before it',
        ),
      );
      return;
    }
    sameOrigin(context.config.baseUrl)(req, res, next);
  };
}
