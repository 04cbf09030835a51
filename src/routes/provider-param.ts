import type { Request } from 'express';
import type { ProviderClient } from '../client/provider-client.js';
import type { RouterContext } from '../context.js';
import { OAuthRouterError } from '../errors.js';

/** Looks up the `:provider` route parameter; unknown names answer 404 `unknown_provider`. */
export function providerFor(req: Request, context: RouterContext): ProviderClient {
  const name = req.params.provider;
  const providerClient = typeof name === 'string' ? context.providerClients.get(name) : undefined;
  if (!providerClient)
    throw new OAuthRouterError('unknown_provider', 'No provider with that name is configured');
  return providerClient;
}
