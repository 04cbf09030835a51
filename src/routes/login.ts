import type { Request, RequestHandler, Response } from 'express';
import { buildAuthorizationUrl } from '../client/authorization-url.js';
import type { ProviderClient } from '../client/provider-client.js';
import type { RouterContext } from '../context.js';
import { OAuthRouterError } from '../errors.js';
import { checkAppRedirect } from '../flow/app-redirect.js';
import { parseExtraScopes } from '../flow/extra-scopes.js';
import { flowStateKey, type MintFlowStateInput, mintFlowState } from '../flow/flow-state.js';
import { checkReturnTo } from '../flow/return-to.js';
import { ensureBindingId } from '../session/binding-cookie.js';
import { inSpan } from '../telemetry/otel.js';
import { checkConnection, parseConnect } from './connect.js';
import { ASK_CONSENT, type ConsentPlan, consentPlan } from './consent.js';
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
      const loginParams = passThrough(req.query, providerClient.provider.loginParams);
      const consent =
        app === undefined && connect !== 'app' && loginParams.prompt === undefined
          ? await consentPlan(context, providerClient.provider, req.user?.id)
          : ASK_CONSENT;
      await redirectToProvider(req, res, context, providerClient, {
        returnTo,
        // An app flow ends in a new bearer session, never by linking into whatever cookie session this browser has.
        linkUserId: app ? undefined : req.user?.id,
        extraScopes,
        appRedirect: app?.redirect,
        appChallenge: app?.challenge,
        connect,
        loginParams,
        consent,
      });
    });
}

/**
 * What a login starts with besides the provider: what the pending login keeps (where it returns, who it links
 * to, what it asks for), the login parameters passed through (already checked) and the consent plan.
 */
export type AuthorizationStart = Pick<
  MintFlowStateInput,
  'returnTo' | 'linkUserId' | 'extraScopes' | 'appRedirect' | 'appChallenge' | 'connect'
> & { loginParams: Record<string, string>; consent: ConsentPlan };

/**
 * Mints a pending login (state, nonce, PKCE verifier, bound to this browser) and redirects to the provider's
 * authorization endpoint: the end of the login route, and of a callback that must come back with consent.
 */
export async function redirectToProvider(
  req: Request,
  res: Response,
  context: RouterContext,
  providerClient: ProviderClient,
  start: AuthorizationStart,
): Promise<void> {
  const { config } = context;
  const { loginParams, consent, ...kept } = start;
  // Discover before writing anything, so an unreachable provider leaves no state behind.
  await providerClient.configuration();
  const bindingId = ensureBindingId(req, res, config);
  const secrets = await mintFlowState({
    ...kept,
    store: context.kvStore,
    keyPrefix: config.keyPrefix,
    ttlSeconds: config.stateTtlSeconds,
    provider: providerClient.provider.name,
    bindingId,
    consentRetry: consent.retryIfNoRefreshToken || undefined,
  });
  const url = await buildAuthorizationUrl(
    providerClient,
    secrets,
    start.extraScopes,
    loginParams,
    consent.skip,
  ).catch(async (err: unknown) => {
    // A pushed request the provider refused: the pending login can never complete, so it is not kept.
    await context.kvStore.delete(flowStateKey(config.keyPrefix, secrets.state));
    throw err;
  });
  sendRedirect(res, 302, url.href);
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
