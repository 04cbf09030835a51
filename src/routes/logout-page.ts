import type { RequestHandler } from 'express';
import { OAuthRouterError } from '../errors.js';
import { isPageNavigation } from '../internal/page-navigation.js';

/**
 * `GET /logout` and `GET /:provider/logout`: signing out is a POST (a GET could be triggered from another site by
 * an image tag), but people type or bookmark the URL. A browser gets a page that says so with a button that
 * posts the same URL; other clients get 405 with `Allow: POST`.
 */
export function logoutPageRoute(): RequestHandler {
  return (req, res) => {
    res.set('Allow', 'POST');
    if (!isPageNavigation(req)) {
      const err = new OAuthRouterError('invalid_request', 'Sign-out is a POST request', { status: 405 });
      res.status(405).json(err.toJSON());
      return;
    }
    // The form posts to this very path (the relative action keeps the mount prefix); helmet's CSP allows it.
    res
      .status(200)
      .type('html')
      .send(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title>' +
          '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>' +
          '<h1>Sign out?</h1><p>Signing out is done with a button, so that no other site can sign you out.</p>' +
          '<form method="post" action=""><button type="submit" id="sign-out">Sign out</button></form>' +
          '</body></html>',
      );
  };
}
