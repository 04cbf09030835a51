import type { RequestHandler } from 'express';
import { ensureBindingId } from '../flow/browser-binding.js';
import { parseExtraScopes } from '../flow/extra-scopes.js';
import { mintFlowState } from '../flow/flow-state.js';
import { buildAuthorizationUrl } from '../flow/oidc.js';
import { checkReturnTo } from '../flow/return-to.js';
import type { RouterContext } from '../middleware/context.js';
import { providerFor } from './provider-param.js';

/**
 * `GET /:provider/login[?returnTo=/path]`: mints state, nonce and PKCE verifier, stores them with a TTL bound
 * to this browser and provider, and redirects to the provider's authorization endpoint.
 */
export function loginRoute(context: RouterContext): RequestHandler {
  const { config } = context;
  return async (req, res) => {
    const providerClient = providerFor(req, context);
    const returnTo = checkReturnTo(req.query.returnTo, config.baseUrl, config.allowedReturnToOrigins);
    const extraScopes = parseExtraScopes(req.query.scope);
    // Discover before writing anything, so an unreachable provider leaves no state behind.
    await providerClient.configuration();
    const bindingId = ensureBindingId(req, res, config);
    const secrets = await mintFlowState({
      store: context.kvStore,
      keyPrefix: config.keyPrefix,
      ttlSeconds: config.stateTtlSeconds,
      provider: providerClient.provider.name,
      bindingId,
      returnTo,
      linkUserId: req.user?.id,
      extraScopes,
    });
    const url = await buildAuthorizationUrl(providerClient, secrets, extraScopes);
    res.redirect(302, url.href);
  };
}
