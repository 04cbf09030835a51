import type { Request, RequestHandler, Response } from 'express';
import { exchangeCode } from '../client/code-exchange.js';
import type { ResolvedProvider } from '../config/types.js';
import type { RouterContext } from '../context.js';
import { OAuthRouterError, toOAuthRouterError } from '../errors.js';
import { consumeFlowState } from '../flow/flow-state.js';
import { quoteForLog } from '../internal/log-text.js';
import { presetOf } from '../providers/index.js';
import { toProfile } from '../providers/profile.js';
import { readBindingId } from '../session/binding-cookie.js';
import { readSession } from '../session/cookie-session.js';
import type { ProviderOrigin } from '../session/session-index.js';
import { inSpan } from '../telemetry/otel.js';
import type { OAuthSessionData } from '../types/augment.js';
import { signInUser } from '../users/sign-in-user.js';
import type { OAuthUser } from '../users/types.js';
import { finishConnection, grantedScopes } from './connect.js';
import { ASK_CONSENT } from './consent.js';
import { redirectToProvider } from './login.js';
import { providerFor } from './provider-param.js';
import { landAfterLogin, sendRedirect } from './send-redirect.js';

/**
 * `GET|POST /:provider/callback`: consumes the state (single use, this browser, this provider), exchanges the
 * code with PKCE, validates the id_token, finds or creates the user, rotates the session id, and redirects to
 * `returnTo`/`successRedirect` (a browser page load: the app's root without them) or answers JSON `{ user }`.
 */
export function callbackRoute(context: RouterContext): RequestHandler {
  const { config } = context;
  return (req, res) =>
    inSpan('oauth.callback', {}, async (span) => {
      const providerClient = providerFor(req, context);
      const provider = providerClient.provider.name;
      span.set('oauth.provider', provider);
      const params = callbackParams(req);
      const flow = await consumeFlowState({
        store: context.kvStore,
        keyPrefix: config.keyPrefix,
        state: params.get('state') ?? undefined,
        provider,
        bindingId: readBindingId(req, config),
      });
      // A connection, not a sign-in: the app's own (connect=app), or an API connected to the signed-in user.
      if (flow.connect === 'app' || providerClient.provider.connectOnly) {
        await finishConnection(req, res, context, providerClient, params, flow);
        return;
      }
      const complete = async () => {
        const result = await exchangeCode(providerClient, params, flow.secrets);
        const preset = presetOf(providerClient.provider);
        const claims = preset?.callbackClaims?.(result.claims, params) ?? result.claims;
        const profile = toProfile(providerClient.provider, claims);
        const linking = req.user !== undefined && flow.linkUserId === req.user.id;
        const requested = [...new Set([...providerClient.provider.scopes, ...flow.extraScopes])];
        const granted = result.scope ? grantedScopes(result.scope, preset?.grantedScopeSeparator) : requested;
        const { user, kind } = await signInUser({
          users: context.users,
          hooks: config.hooks,
          policy: config.accounts,
          profile,
          grantedScopes: granted,
          currentUser: linking ? req.user : undefined,
        });
        if (providerClient.provider.mode === 'integration' && context.vault) {
          await context.vault.saveGrant(
            user.id,
            provider,
            { ...result, scope: granted.join(' ') },
            requested,
          );
        }
        // Kept only where the provider may end these sessions over the back channel.
        const origin = providerClient.provider.backchannelLogout ? providerOrigin(result.claims) : undefined;
        return { user, granted, kind, origin };
      };
      if (flow.appRedirect) {
        await finishAppFlow(res, context, flow.appRedirect, flow.appChallenge, provider, complete);
        return;
      }
      const { user, granted, kind, origin } = await complete();
      warnIfCookieWillBeDropped(req, context);
      const previous = readSession(req)?.oauth;
      const scopes = { ...(previous?.user.id === user.id ? previous.scopes : {}), [provider]: granted };
      await signIn(req, { user, provider, signedInAt: Date.now(), scopes });
      await context.userSessions.recordBrowser(req, user.id, provider, origin);
      context.events.emit('signIn', { provider, userId: user.id, kind, app: false });
      config.logger.info('express-oauth-router: signed in', { provider, userId: user.id, kind });
      span.set('oauth.sign_in.kind', kind);
      if (flow.consentRetry && (await lacksRefreshToken(context, providerClient.provider, user.id))) {
        // Signed in, but this provider sends a refresh token only with consent (Google): ask for it, once.
        span.set('oauth.consent_retry', true);
        await redirectToProvider(req, res, context, providerClient, {
          returnTo: flow.returnTo,
          linkUserId: user.id,
          extraScopes: flow.extraScopes,
          loginParams: {},
          consent: ASK_CONSENT,
        });
        return;
      }
      // A browser that completes a sign-in lands on a page, never on JSON: returnTo, successRedirect, else the app's
      // root. API clients (and a JSON-preferring Accept) get { user }.
      if (landAfterLogin(req, res, config, flow.returnTo)) return;
      res.status(200).json({ user });
    });
}

/** Whether an integration-mode connection just made holds no refresh token. */
async function lacksRefreshToken(
  context: RouterContext,
  provider: ResolvedProvider,
  userId: string,
): Promise<boolean> {
  if (provider.mode !== 'integration' || !context.vault) return false;
  return !(await context.vault.holdsRefreshToken(userId, provider.name));
}

/**
 * Ends an app flow at its (allowlisted) callback URL: with a one-time exchange code on success, with
 * `?error=<code>` on failure. Never tokens in the URL; no cookie session is created. The code is bound to the
 * login's PKCE challenge; a login without one ends in `error=invalid_request` before the provider's code is used.
 */
async function finishAppFlow(
  res: Response,
  context: RouterContext,
  redirect: string,
  challenge: string | undefined,
  provider: string,
  complete: () => Promise<{
    user: OAuthUser;
    kind: 'new' | 'returning' | 'linked';
    origin: ProviderOrigin | undefined;
  }>,
): Promise<void> {
  const target = new URL(redirect);
  try {
    if (!context.bearer) throw new OAuthRouterError('invalid_config', 'appCallbacks is not configured');
    // A pending login minted by an older version may lack the challenge: its code could be redeemed by anyone.
    if (challenge === undefined)
      throw new OAuthRouterError('invalid_request', 'App login started without codeChallenge');
    const { user, kind, origin } = await complete();
    target.searchParams.set('code', await context.bearer.mintExchangeCode(user, provider, challenge, origin));
    context.events.emit('signIn', { provider, userId: user.id, kind, app: true });
    context.config.logger.info('express-oauth-router: signed in (app session)', {
      provider,
      userId: user.id,
      kind,
    });
  } catch (err) {
    const error = toOAuthRouterError(err);
    logAppFlowError(context, error);
    if (error.code === 'store_unavailable')
      context.events.emit('storeUnavailable', { path: `${context.config.mountPath}/${provider}/callback` });
    context.events.emit('signInFailed', { provider, code: error.code, providerError: error.providerError });
    target.searchParams.set('error', error.code);
  }
  res.set('Cache-Control', 'no-store');
  sendRedirect(res, 303, target.href);
}

function logAppFlowError(context: RouterContext, err: OAuthRouterError): void {
  const cause = err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}` : undefined;
  context.config.logger.warn(`express-oauth-router: app sign-in failed: ${err.message}`, {
    code: err.code,
    cause,
  });
}

/**
 * Reads the authorization response. A parameter given twice is refused: RFC 6749 §3.1 forbids it, and a
 * duplicate `state` or `code` is how parameter-pollution attacks smuggle a second value past a check.
 */
function callbackParams(req: Request): URLSearchParams {
  const source: unknown = req.method === 'POST' ? req.body : req.query;
  const params = new URLSearchParams();
  if (typeof source !== 'object' || source === null) return params;
  for (const [key, value] of Object.entries(source)) {
    if (typeof value !== 'string') {
      throw new OAuthRouterError(
        'invalid_request',
        `Callback parameter ${quoteForLog(key)} is repeated or malformed`,
      );
    }
    params.set(key, value);
  }
  return params;
}

/**
 * Rotates the session id (session fixation) and stores the user in the new session. `req.sessionID` is set only
 * when the browser presented a session the store holds; without one, the new session's id is fresh and random
 * anyway (an unknown id from a cookie is never adopted), so there is nothing to rotate or delete.
 */
async function signIn(req: Request, data: OAuthSessionData): Promise<void> {
  if (req.sessionID !== undefined) {
    await new Promise<void>((resolve, reject) =>
      req.session.regenerate((err) => (err ? reject(err) : resolve())),
    );
  }
  req.session.oauth = data;
  await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
  req.user = data.user;
}

// express-session silently omits a Secure cookie on a plain-http request: the login "works" and the user is
// not signed in. Say why, once.
function warnIfCookieWillBeDropped(req: Request, context: RouterContext): void {
  if (context.config.session.secure && !req.secure && !context.warnedInsecureRequest) {
    context.warnedInsecureRequest = true;
    context.config.logger.warn(
      `express-oauth-router: the session cookie is Secure (baseUrl is ${context.config.baseUrl.origin}) but this request arrived over http, so the browser gets no cookie and stays signed out. Either the app sits behind a TLS-terminating proxy that Express does not trust (call app.set("trust proxy", 1), or the number of proxies), or the app is really served over plain http (set baseUrl to the URL users open, e.g. http://localhost:3000).`,
    );
  }
}

/** The provider subject and session (`sid`, OIDC Back-Channel Logout §2.4) of a sign-in, from its id_token. */
function providerOrigin(claims: Record<string, unknown>): ProviderOrigin | undefined {
  if (typeof claims.sub !== 'string' || claims.sub === '') return undefined;
  return {
    sub: claims.sub,
    sid: typeof claims.sid === 'string' && claims.sid !== '' ? claims.sid : undefined,
  };
}
