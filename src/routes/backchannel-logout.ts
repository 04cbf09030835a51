import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { verifyLogoutToken } from '../client/logout-token.js';
import type { RouterContext } from '../context.js';
import { OAuthRouterError } from '../errors.js';
import { providerFor } from './provider-param.js';

/** Longest logout token read; real ones are around a kilobyte. */
const MAX_TOKEN_LENGTH = 16_384;

/**
 * `POST /:provider/backchannel-logout` (OpenID Connect Back-Channel Logout 1.0, opt-in per provider): the provider
 * posts a signed logout token; a valid one, seen for the first time, ends every session of ours from that provider
 * session (`sid`) or user (`sub`), on every instance. Answers 200 (also when no session of ours matched: the
 * provider has nothing to retry), or 400 `invalid_request` for a token that is not valid or was seen before.
 * `Cache-Control: no-store` like every auth route; no same-origin check, since the provider calls it server to
 * server without cookies.
 */
export function backchannelLogoutRoute(context: RouterContext): RequestHandler {
  const { config } = context;
  return async (req, res) => {
    const providerClient = providerFor(req, context);
    const provider = providerClient.provider.name;
    if (!providerClient.provider.backchannelLogout) {
      throw new OAuthRouterError('invalid_request', `${provider}: back-channel logout is not enabled`, {
        status: 404,
        provider,
      });
    }
    const body: unknown = req.body;
    const token =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>).logout_token : undefined;
    if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_LENGTH) {
      throw new OAuthRouterError('invalid_request', `${provider}: logout_token is missing or malformed`, {
        provider,
      });
    }
    const claims = await verifyLogoutToken(providerClient, token);
    // Single use: the jti is remembered for as long as the token itself would be accepted.
    const jtiKey = `${config.keyPrefix}logout-jti:${provider}:${createHash('sha256').update(claims.jti).digest('base64url')}`;
    const ttl = Math.max(1, Math.ceil((claims.acceptableUntil - Date.now()) / 1000));
    if (!(await context.kvStore.setIfAbsent(jtiKey, '1', ttl))) {
      throw new OAuthRouterError('invalid_request', `${provider}: logout token replayed (its jti was seen)`, {
        provider,
      });
    }
    const sessions = await context.userSessions.endFromProvider(provider, claims);
    context.events.emit('backchannelLogout', { provider, sessions });
    config.logger.info('express-oauth-router: back-channel logout', { provider, sessions });
    res.status(200).end();
  };
}
