import type { Request, RequestHandler } from 'express';
import { buildAuthorizationUrl } from '../client/authorization-url.js';
import type { ResolvedProvider } from '../config/types.js';
import type { RouterContext } from '../context.js';
import { OAuthRouterError } from '../errors.js';
import { checkAppRedirect } from '../flow/app-redirect.js';
import { parseExtraScopes } from '../flow/extra-scopes.js';
import { mintFlowState } from '../flow/flow-state.js';
import { checkReturnTo } from '../flow/return-to.js';
import { ensureBindingId } from '../session/binding-cookie.js';
import { inSpan } from '../telemetry/otel.js';
import { checkConnection, parseConnect } from './connect.js';
import { providerFor } from './provider-param.js';
import { sendRedirect } from './send-redirect.js';

/**
 * `GET /:provider/login[?returnTo=/path]`: mints state, nonce and PKCE verifier, stores them with a TTL bound
 * to this browser and provider, and redirects to the provider's authorization endpoint.
 */
export function loginRoute(context: RouterContext): RequestHandler {
  const { config } = context;
  return (req, res) =>
    inSpan('oauth.login', {}, async (span) => {
      const providerClient = providerFor(req, context);
      span.set('oauth.provider', providerClient.provider.name);
      const returnTo = checkReturnTo(req.query.returnTo, config.baseUrl, config.allowedReturnToOrigins);
      const extraScopes = parseExtraScopes(req.query.scope);
      const app = appCallback(
        req.query.redirectUrl,
        req.query.codeChallenge,
        config.appCallbacks?.allowedRedirects,
      );
      const connect = parseConnect(req.query.connect);
      if (connect === 'app' || providerClient.provider.connectOnly) {
        await checkConnection(context, providerClient.provider, connect, req.user, app !== undefined);
      }
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
        // An app flow ends in a new bearer session, never by linking into whatever cookie session this browser has.
        linkUserId: app ? undefined : req.user?.id,
        extraScopes,
        appRedirect: app?.redirect,
        appChallenge: app?.challenge,
        connect,
      });
      const url = await buildAuthorizationUrl(
        providerClient,
        secrets,
        extraScopes,
        passThrough(req.query, providerClient.provider.loginParams),
        await holdsRefreshToken(
          context,
          providerClient.provider,
          app === undefined && connect !== 'app',
          req.user?.id,
        ),
      );
      sendRedirect(res, 302, url.href);
    });
}

/**
 * Reads `redirectUrl` (an allowlisted app callback) and `codeChallenge` (the S256 challenge of a verifier the app
 * keeps, RFC 7636 §4.2) from the login request. Both are required together and refused before the provider is
 * contacted: the code an app callback receives travels through the operating system or the browser (a custom
 * scheme another app can also register, a page URL), so it must be useless to anyone without the verifier
 * (RFC 8252 §8.1, RFC 9700 §2.1.1).
 */
function appCallback(
  redirectUrl: unknown,
  codeChallenge: unknown,
  allowed: readonly string[] | undefined,
): { redirect: string; challenge: string } | undefined {
  if (redirectUrl === undefined) {
    if (codeChallenge !== undefined)
      throw new OAuthRouterError('invalid_request', 'codeChallenge needs redirectUrl');
    return undefined;
  }
  if (!allowed)
    throw new OAuthRouterError('invalid_request', 'redirectUrl is not enabled: configure appCallbacks');
  const redirect = checkAppRedirect(redirectUrl, allowed);
  if (codeChallenge === undefined) {
    throw new OAuthRouterError(
      'invalid_request',
      'codeChallenge is required with redirectUrl: send base64url(SHA-256(verifier)) of a verifier the app keeps',
    );
  }
  if (typeof codeChallenge !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
    throw new OAuthRouterError(
      'invalid_request',
      'codeChallenge must be a base64url SHA-256 (43 characters)',
    );
  }
  return { redirect, challenge: codeChallenge };
}

/**
 * Whether the signed-in user already holds a refresh token for this provider, so that the consent screen the
 * configuration asks for only to get one (Google's `prompt=consent`, OIDC's for `offline_access`) can be skipped.
 * Without a signed-in user nobody is known yet, and consent stays.
 */
async function holdsRefreshToken(
  context: RouterContext,
  provider: ResolvedProvider,
  forSignedInUser: boolean,
  userId: string | undefined,
): Promise<boolean> {
  if (!provider.consentForRefreshToken || !forSignedInUser || userId === undefined || !context.vault)
    return false;
  return context.vault.holdsRefreshToken(userId, provider.name);
}

/** The login query parameters the app and the provider's preset let through (e.g. a bot install's guild_id), validated. */
function passThrough(
  query: Request['query'],
  allowed: Readonly<Record<string, RegExp>>,
): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, pattern] of Object.entries(allowed)) {
    const value = query[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !pattern.test(value)) {
      throw new OAuthRouterError('invalid_request', `${name} is malformed`);
    }
    params[name] = value;
  }
  return params;
}
