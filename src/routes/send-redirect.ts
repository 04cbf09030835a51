import type { Response } from 'express';

/**
 * Answers a redirect with an empty body. Express's `res.redirect` negotiates a short text or HTML note on the
 * Accept header first (a parse and a Vary header per redirect, a cost measured in bench/RESULTS.md); browsers
 * follow the Location header and never show the note, which RFC 9110 §15.4 leaves optional.
 */
export function sendRedirect(res: Response, status: 302 | 303, location: string): void {
  res.status(status).location(location).set('Content-Length', '0').end();
}
