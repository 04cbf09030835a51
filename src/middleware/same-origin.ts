import type { RequestHandler } from 'express';
import { OAuthRouterError } from '../errors.js';

/**
 * Refuses state-changing requests sent by another site (CSRF), using what browsers tell us: the `Origin`
 * header, or `Sec-Fetch-Site: cross-site` when there is none. Requests without either (curl, server-to-server)
 * pass; they carry no ambient cookies from a victim's browser. This does not rely on the session cookie being
 * SameSite, which an application may have relaxed.
 */
export function sameOrigin(baseUrl: URL): RequestHandler {
  return (req, _res, next) => {
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
