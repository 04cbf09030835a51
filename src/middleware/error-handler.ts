import type { ErrorRequestHandler, Request, Response } from 'express';
import type { RouterContext } from '../context.js';
import {
  AccountMismatchError,
  endsLogin,
  OAuthRouterError,
  ProviderUnavailableError,
  SignInDeniedError,
  toOAuthRouterError,
} from '../errors.js';
import { isPageNavigation } from '../internal/page-navigation.js';
import { sendRedirect } from '../routes/send-redirect.js';

/**
 * Answers an error: a redirect to `failureRedirect?error=<code>` for failed logins when configured, otherwise
 * JSON `{ error, message }` with the code's status. Never a stack trace, never the internal message.
 */
export function sendError(req: Request, res: Response, error: unknown, context: RouterContext): void {
  const err = toOAuthRouterError(error);
  logError(err, context);
  tell(req, err, context);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.set('Cache-Control', 'no-store');
  const { failureRedirect } = context.config;
  if (failureRedirect && isFlowRoute(req) && (endsLogin(err.code) || navigationOnlyFlowError(req, err))) {
    const target = new URL(failureRedirect, context.config.baseUrl);
    target.searchParams.set('error', err.code);
    // The reconnect page tells the person which account to use (already masked).
    if (err instanceof AccountMismatchError && err.expectedAccount)
      target.searchParams.set('expected', err.expectedAccount);
    // The provider's own code (invalid_scope, consent_required, temporarily_unavailable…) next to ours.
    if (err.providerError && err.providerError !== err.code)
      target.searchParams.set('provider_error', err.providerError);
    // The app's own words for a refused sign-in, for its failure page to show.
    if (err instanceof SignInDeniedError) target.searchParams.set('message', err.publicMessage);
    const location = failureRedirect.startsWith('/') ? `${target.pathname}${target.search}` : target.href;
    sendRedirect(res, req.method === 'POST' ? 303 : 302, location);
    return;
  }
  if (err instanceof ProviderUnavailableError) res.set('Retry-After', String(err.retryAfterSeconds()));
  res.status(err.status).json(err.toJSON());
}

/** Express error middleware for the auth routes; also turns body-parser errors into typed ones. */
export function errorHandler(context: RouterContext): ErrorRequestHandler {
  return (error, req, res, _next) => {
    sendError(req, res, fromHttpError(error), context);
  };
}

function fromHttpError(error: unknown): unknown {
  if (error instanceof OAuthRouterError) return error;
  // body-parser and friends throw http-errors with a 4xx status: the client's fault, not ours.
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new OAuthRouterError('invalid_request', `Malformed request (${status})`, { status, cause: error });
  }
  return error;
}

/**
 * An unknown provider or a rate limit ends a login too, when a person's browser loaded the page: they get the
 * app's failure page. Scripts keep the 404/429 JSON (with Retry-After) they can act on.
 */
function navigationOnlyFlowError(req: Request, err: OAuthRouterError): boolean {
  return (
    (err.code === 'unknown_provider' || err.code === 'rate_limited') && isPageNavigation(req, ['GET', 'POST'])
  );
}

function isFlowRoute(req: Request): boolean {
  return /\/(login|callback)$/.test(req.path);
}

// Operators see failed sign-ins and outages as events; a failed callback is a failed sign-in.
function tell(req: Request, err: OAuthRouterError, context: RouterContext): void {
  if (err.code === 'store_unavailable') context.events.emit('storeUnavailable', { path: req.path });
  if (/\/callback$/.test(req.path)) {
    context.events.emit('signInFailed', {
      provider: err.provider ?? providerOfPath(req.path, context),
      code: err.code,
      providerError: err.providerError,
    });
  }
}

// Only a configured provider's name: the path is the client's to choose.
function providerOfPath(path: string, context: RouterContext): string | undefined {
  const name = /\/([^/]+)\/callback$/.exec(path)?.[1];
  return name !== undefined && context.config.providers.has(name) ? name : undefined;
}

function logError(err: OAuthRouterError, context: RouterContext): void {
  // rate_limited: the limiter logs one line per window itself (a 429 storm would flood the log).
  if (err.code === 'unauthenticated' || err.code === 'unknown_provider' || err.code === 'rate_limited')
    return;
  const cause = err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}` : undefined;
  const details = { code: err.code, provider: err.provider, cause };
  if (err.status >= 500) context.config.logger.error(`express-oauth-router: ${err.message}`, details);
  else context.config.logger.warn(`express-oauth-router: ${err.message}`, details);
}
