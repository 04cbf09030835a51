import request from 'supertest';
import type { Stack } from './stack.js';

/**
 * supertest for a route-level test (one request, one answer) against a running stack: `requestApp(stack).get('/me')`
 * requests `stack.url('/me')`. It goes to the stack's listening server rather than to `stack.app`, so the request
 * meets what a browser's would: the outer app with its `trust proxy` and path prefix (req.baseUrl, req.originalUrl),
 * and the Host of baseUrl. No cookie jar: set a cookie header by hand, or use Browser for multi-hop flows.
 *
 * An `https: true` stack is reached through the TLS-terminating proxy that Browser simulates: use Browser there.
 */
export function requestApp(stack: Pick<Stack, 'baseUrl'>): ReturnType<typeof request> {
  if (!stack.baseUrl.startsWith('http:'))
    throw new Error(`requestApp(): ${stack.baseUrl} is behind the simulated TLS proxy; use Browser for it`);
  return request(stack.baseUrl);
}
