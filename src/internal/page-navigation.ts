import type { Request } from 'express';

/**
 * Whether a request is a browser loading a page (which wants a redirect to a page) rather than fetch/XHR or an API
 * client (which wants JSON it can handle). Fetch metadata decides where the browser sends it; otherwise an Accept
 * header that prefers HTML over JSON, without the `X-Requested-With` of script requests.
 *
 * @param methods - The methods a navigation may use here: GET (and HEAD), plus POST where a provider's
 *   `form_post` response arrives as a top-level POST.
 */
export function isPageNavigation(req: Request, methods: readonly string[] = ['GET', 'HEAD']): boolean {
  if (!methods.includes(req.method)) return false;
  const mode = req.get('sec-fetch-mode');
  if (mode) return mode === 'navigate';
  return req.accepts(['json', 'html']) === 'html' && req.get('x-requested-with') === undefined;
}
