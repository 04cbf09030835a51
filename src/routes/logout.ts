import type { RequestHandler } from 'express';
import type { RouterContext } from '../middleware/context.js';

/**
 * `POST /:provider/logout` (and `POST /logout`): destroys the server-side session, so the old cookie no
 * longer works on any instance, clears the cookie, and answers 204 or redirects to `logoutRedirect`.
 * POST only: a GET logout could be triggered cross-site by an image tag.
 */
export function logoutRoute(context: RouterContext): RequestHandler {
  const { config } = context;
  return async (req, res) => {
    if (req.session) {
      await new Promise<void>((resolve, reject) =>
        req.session.destroy((err) => (err ? reject(err) : resolve())),
      );
    }
    res.clearCookie(config.session.cookieName, {
      httpOnly: true,
      secure: config.session.secure,
      sameSite: config.session.sameSite,
      path: '/',
    });
    if (config.logoutRedirect) {
      res.redirect(303, config.logoutRedirect);
      return;
    }
    res.status(204).end();
  };
}
