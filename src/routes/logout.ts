import type { Request, RequestHandler } from 'express';
import { endSessionUrl } from '../client/end-session.js';
import { getBearerFamily, type RouterContext } from '../context.js';
import { isPageNavigation } from '../internal/page-navigation.js';
import { sendRedirect } from './send-redirect.js';

/**
 * `POST /:provider/logout` (and `POST /logout`): destroys the server-side session, so the old cookie no
 * longer works on any instance, clears the cookie, and answers 204 or redirects to `logoutRedirect` (a browser's
 * form POST without one: to the app's root).
 * With `revoke` (`?revoke=true`, or the provider's `revokeOnLogout`), the provider's tokens are revoked
 * (RFC 7009) and deleted first; on `POST /logout`, those of every connection. With the provider's
 * `endSessionOnLogout`, the browser then goes to the provider's end-session endpoint (RP-Initiated Logout).
 * With `?everywhere=true`, every other browser and app session of the user ends too ("sign out everywhere").
 * POST only: a GET logout could be triggered cross-site by an image tag.
 */
export function logoutRoute(context: RouterContext): RequestHandler {
  const { config } = context;
  return async (req, res) => {
    const userId = req.user?.id;
    if (userId && context.vault) {
      const named = req.params.provider;
      const targets =
        typeof named === 'string'
          ? [named]
          : (await context.vault.connections(userId)).map((c) => c.provider);
      for (const provider of targets) {
        const configured = config.providers.get(provider);
        if (configured && revokeRequested(req, configured.revokeOnLogout)) {
          await context.vault.disconnect(userId, provider, true);
        }
      }
    }
    const family = getBearerFamily(req);
    if (userId && everywhere(req)) await context.accounts.signOutEverywhere(userId);
    if (family && context.bearer) await context.bearer.revoke(family);
    if (userId && family) await context.userSessions.forget(userId, 'app', family);
    if (userId && req.sessionID !== undefined)
      await context.userSessions.forget(userId, 'browser', req.sessionID);
    if (req.session) {
      await new Promise<void>((resolve, reject) =>
        req.session.destroy((err) => (err ? reject(err) : resolve())),
      );
    }
    if (userId || family) {
      config.logger.info('express-oauth-router: signed out', { userId, app: family !== undefined });
      context.events.emit('logout', {
        userId,
        provider: typeof req.params.provider === 'string' ? req.params.provider : undefined,
        app: family !== undefined,
      });
    }
    res.clearCookie(config.session.cookieName, {
      httpOnly: true,
      secure: config.session.secure,
      sameSite: config.session.sameSite,
      path: '/',
    });
    const providerClient =
      typeof req.params.provider === 'string' ? context.providerClients.get(req.params.provider) : undefined;
    if (providerClient?.provider.endSessionOnLogout) {
      const back = new URL(config.logoutRedirect ?? config.baseUrl.href, config.baseUrl).href;
      const url = await endSessionUrl(providerClient, back);
      if (url) {
        sendRedirect(res, 303, url.href);
        return;
      }
    }
    if (config.logoutRedirect) {
      sendRedirect(res, 303, config.logoutRedirect);
      return;
    }
    // A sign-out button in a page (a form POST) should leave the person on a page, not on an empty 204.
    if (isPageNavigation(req, ['POST'])) {
      sendRedirect(res, 303, config.baseUrl.pathname);
      return;
    }
    res.status(204).end();
  };
}

/** `?everywhere=true`: end every session of the user (all browsers and apps), not only this one. */
function everywhere(req: Request): boolean {
  return req.query.everywhere === 'true' || req.query.everywhere === '1';
}

function revokeRequested(req: Request, fallback: boolean): boolean {
  const value = req.query.revoke;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return fallback;
}
