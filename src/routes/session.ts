import express, { type RequestHandler, type Router } from 'express';
import { OAuthRouterError } from '../errors.js';
import type { RouterContext } from '../middleware/context.js';

/**
 * Adds `POST <mountPath>/session` (exchange code → bearer session) and `POST <mountPath>/session/refresh`
 * (rotation) to `router`, for apps without cookies. Bodies are JSON or form-encoded. Single-page apps on an
 * allowlisted origin may call them cross-origin (CORS without credentials: nothing ambient is involved); the CORS
 * answer covers every route under mountPath.
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
    express.json({ limit: '4kb' }),
    express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 }),
  ];
  router.post(`${mountPath}/session`, ...limiter, ...body, async (req, res) => {
    const fields = (req.body ?? {}) as Record<string, unknown>;
    res.json(await bearer().exchange(fields.code, fields.codeVerifier));
  });
  router.post(`${mountPath}/session/refresh`, ...limiter, ...body, async (req, res) => {
    const fields = (req.body ?? {}) as Record<string, unknown>;
    res.json(await bearer().refresh(fields.refreshToken));
  });
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
