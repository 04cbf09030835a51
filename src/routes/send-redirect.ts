import type { Request, Response } from 'express';
import type { ResolvedConfig } from '../config/types.js';
import { isPageNavigation } from '../internal/page-navigation.js';

/**
 * Answers a redirect with an empty body. Express's `res.redirect` negotiates a short text or HTML note on the
 * Accept header first (a parse and a Vary header per redirect, a cost measured in bench/RESULTS.md); browsers
 * follow the Location header and never show the note, which RFC 9110 §15.4 leaves optional.
 */
export function sendRedirect(res: Response, status: 302 | 303, location: string): void {
  res.status(status).location(location).set('Content-Length', '0').end();
}

/**
 * Where a completed login leaves the browser: `returnTo`, else `successRedirect`, else, for a page navigation, the
 * app's root (a person lands on a page, never on JSON).
 *
 * @returns Whether it redirected; false for API clients, which get JSON from the caller.
 */
export function landAfterLogin(
  req: Request,
  res: Response,
  config: ResolvedConfig,
  returnTo: string | undefined,
): boolean {
  const target =
    returnTo ??
    config.successRedirect ??
    (isPageNavigation(req, ['GET', 'POST']) ? config.baseUrl.pathname : undefined);
  if (!target) return false;
  sendRedirect(res, req.method === 'POST' ? 303 : 302, target);
  return true;
}
