import express, { type Request, type RequestHandler, type Router } from 'express';
import type { RouterContext } from '../context.js';
import { OAuthRouterError } from '../errors.js';

/**
 * Adds `POST <mountPath>/session` (exchange code → bearer session) and `POST <mountPath>/session/refresh`
 * (rotation) to `router`, for apps without cookies. Bodies are a JSON object or form-encoded, at most 4 KB. Like a
 * token endpoint (RFC 6749 §5.2), a malformed request (unparsable or oversized body, another content type,
 * a missing field, an array or object where a string belongs, a repeated form field) answers 400
 * `invalid_request`; a well-formed but unknown, expired or used code or token answers 400 `invalid_grant`.
 * Single-page apps on an allowlisted origin may call them cross-origin (CORS without credentials: nothing ambient
 * is involved); the CORS answer covers every route under mountPath.
 */
export function addSessionRoutes(router: Router, context: RouterContext, limiter: RequestHandler[]): void {
  const { mountPath } = context.config;
  const bearer = () => {
    if (!context.bearer)
      throw new OAuthRouterError('invalid_request', 'App sessions are not enabled: configure appCallbacks', {
        status: 404,
      });
    return context.bearer;
  };
  router.use(mountPath, cors(context.config.appCallbacks?.corsOrigins ?? new Set()));
  const body = [
    clientErrorsAs400(express.json({ limit: '4kb' })),
    clientErrorsAs400(express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 })),
  ];
  router.post(`${mountPath}/session`, ...limiter, ...body, async (req, res) => {
    const fields = bodyFields(req);
    // An absent verifier is not malformed: the exchange refuses it with invalid_grant after burning the code.
    const session = await bearer().exchangeForFamily(
      requiredString(fields, 'code'),
      optionalString(fields, 'codeVerifier'),
    );
    await context.userSessions.recordApp(
      req,
      session.tokens.user.id,
      session.familyId,
      session.provider,
      session.expiresAt,
      session.origin,
    );
    res.json(session.tokens);
  });
  router.post(`${mountPath}/session/refresh`, ...limiter, ...body, async (req, res) => {
    res.json(await bearer().refresh(requiredString(bodyFields(req), 'refreshToken')));
  });
}

/**
 * Runs a body parser and turns what it rejects as the client's fault (invalid JSON 400, oversized 413, unsupported
 * charset or encoding 415, too many fields 413) into `invalid_request` 400, the one answer a token-endpoint-like
 * route gives to a malformed request.
 */
function clientErrorsAs400(parser: RequestHandler): RequestHandler {
  return (req, res, next) => {
    parser(req, res, (err?: unknown) => {
      const status = (err as { status?: unknown } | undefined)?.status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        next(
          new OAuthRouterError('invalid_request', `Malformed session request body (${status})`, {
            cause: err,
          }),
        );
        return;
      }
      next(err);
    });
  };
}

/** The parsed body as a plain object: nothing else (no body, another content type, a JSON array) is a request. */
function bodyFields(req: Request): Record<string, unknown> {
  const fields: unknown = req.body;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new OAuthRouterError(
      'invalid_request',
      'Session requests need a JSON object or form-encoded body (content-type application/json or application/x-www-form-urlencoded)',
    );
  }
  return fields as Record<string, unknown>;
}

/**
 * An own string field of the body, or undefined when absent. A repeated form field arrives as an array and is
 * refused like any other non-string; inherited names (`__proto__`, `toString`) are never read.
 */
function optionalString(fields: Record<string, unknown>, name: string): string | undefined {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (value !== undefined && typeof value !== 'string') {
    throw new OAuthRouterError('invalid_request', `${name} must be a string`);
  }
  return value;
}

function requiredString(fields: Record<string, unknown>, name: string): string {
  const value = optionalString(fields, name);
  if (value === undefined) throw new OAuthRouterError('invalid_request', `${name} is required`);
  return value;
}

function cors(origins: ReadonlySet<string>): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin && origins.has(origin)) {
      res.set('Access-Control-Allow-Origin', origin);
      res.vary('Origin');
      if (req.method === 'OPTIONS') {
        res.set('Access-Control-Allow-Methods', 'POST');
        res.set('Access-Control-Allow-Headers', 'content-type, authorization');
        res.set('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    }
    next();
  };
}
