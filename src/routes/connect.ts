import type { Request, Response } from 'express';
import { exchangeCode } from '../client/code-exchange.js';
import type { ProviderClient } from '../client/provider-client.js';
import type { ResolvedProvider } from '../config/types.js';
import type { RouterContext } from '../context.js';
import { OAuthRouterError } from '../errors.js';
import type { consumeFlowState } from '../flow/flow-state.js';
import { presetOf } from '../providers/index.js';
import { readSession } from '../session/cookie-session.js';
import { APP_OWNER, isUserOwner } from '../tokens/provider-access.js';
import type { OAuthUser } from '../users/types.js';
import { landAfterLogin } from './send-redirect.js';

/**
 * Connections that are not sign-ins: a login that only stores a provider's tokens, for the signed-in user (an
 * integration-only provider without a profile endpoint) or for the app itself (`?connect=app`, an admin connecting
 * a bot or a shared account). Nobody is signed in or linked; the session stays as it is.
 */

/**
 * Reads the login's `connect` parameter.
 * @returns `app` for an app-level connection, undefined for an ordinary login.
 */
export function parseConnect(value: unknown): 'app' | undefined {
  if (value === undefined) return undefined;
  if (value === 'app') return 'app';
  throw new OAuthRouterError('invalid_request', 'connect must be "app" (or absent)');
}

/**
 * Checks, at the login route and again at the callback, that this connection may be made: someone is signed in
 * (with a cookie session: a connection is not an app sign-in), and for the app's connection, the provider keeps
 * tokens and `hooks.allowAppConnection` says yes for this user. Nobody else may replace the app's tokens.
 *
 * @throws OAuthRouterError `unauthenticated` without a signed-in user, `invalid_request` for an app callback or
 *   a provider in sign-in mode, `sign_in_denied` when the app does not allow this user to connect it for the app.
 */
export async function checkConnection(
  context: RouterContext,
  provider: ResolvedProvider,
  connect: 'app' | undefined,
  user: OAuthUser | undefined,
  appFlow: boolean,
): Promise<void> {
  const name = provider.name;
  if (appFlow) {
    throw new OAuthRouterError(
      'invalid_request',
      `${name}: connecting a provider happens in the browser of a signed-in user: remove redirectUrl`,
      { provider: name },
    );
  }
  if (!user) {
    throw new OAuthRouterError(
      'unauthenticated',
      connect === 'app'
        ? `${name}: connect=app needs a signed-in user whom hooks.allowAppConnection allows: sign in first`
        : `${name} only connects its API to a signed-in user: sign in first (with another provider), then connect ${name}`,
      { provider: name },
    );
  }
  if (connect !== 'app') return;
  if (provider.mode !== 'integration' || !context.vault) {
    throw new OAuthRouterError(
      'invalid_request',
      `${name}: connect=app stores the app's tokens: set providers.${name}.mode to "integration" and configure tokenEncryption`,
      { provider: name },
    );
  }
  const allow = context.config.hooks.allowAppConnection;
  if (!allow || (await allow({ user, provider: name })) !== true) {
    throw new OAuthRouterError(
      'sign_in_denied',
      allow
        ? `${name}: this user may not connect it for the whole app`
        : `${name}: app-level connections are off: set hooks.allowAppConnection to allow your admins`,
      { provider: name },
    );
  }
}

/**
 * Ends a connection login at the callback: the user who started it must still be signed in (and, for the app's
 * connection, still be allowed), then the code is exchanged and the tokens sealed for the user or the app.
 * Redirects like a sign-in (returnTo, successRedirect, the app's root for a page) or answers
 * `{ connected: { provider, owner } }`.
 */
export async function finishConnection(
  req: Request,
  res: Response,
  context: RouterContext,
  providerClient: ProviderClient,
  params: URLSearchParams,
  flow: Awaited<ReturnType<typeof consumeFlowState>>,
): Promise<void> {
  const { config } = context;
  const provider = providerClient.provider;
  const user = req.user;
  // The same user as at the login: a session that changed mid-flow must not receive the connection.
  const sameUser = user && flow.linkUserId === user.id ? user : undefined;
  await checkConnection(context, provider, flow.connect, sameUser, false);
  const owner = flow.connect === 'app' ? APP_OWNER : (sameUser as OAuthUser).id;
  if (owner !== APP_OWNER && !isUserOwner(owner)) {
    throw new OAuthRouterError('internal_error', 'User ids must not start with "@" (reserved)');
  }
  if (!context.vault) {
    throw new OAuthRouterError('invalid_config', `${provider.name}: connections need tokenEncryption`);
  }
  const result = await exchangeCode(providerClient, params, flow.secrets);
  const requested = [...new Set([...provider.scopes, ...flow.extraScopes])];
  const granted = result.scope
    ? grantedScopes(result.scope, presetOf(provider)?.grantedScopeSeparator)
    : requested;
  await context.vault.saveGrant(owner, provider.name, { ...result, scope: granted.join(' ') }, requested);
  const session = readSession(req)?.oauth;
  if (owner !== APP_OWNER && session && session.user.id === owner) {
    // requireAuth({ scopes }) reads the granted scopes from the session.
    session.scopes = { ...session.scopes, [provider.name]: granted };
    await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
  }
  if (landAfterLogin(req, res, config, flow.returnTo)) return;
  res
    .status(200)
    .json({ connected: { provider: provider.name, owner: owner === APP_OWNER ? 'app' : 'user' } });
}

/**
 * The scopes a token response says were granted: space-separated (RFC 6749 §3.3), and split on the preset's
 * `grantedScopeSeparator` too for providers that list them another way.
 */
export function grantedScopes(scope: string, separator: string | undefined): string[] {
  const parts = separator ? scope.split(separator) : [scope];
  return parts.flatMap((part) => part.split(/\s+/)).filter(Boolean);
}
