/**
 * Stable error codes. Applications branch on `err.code`; the strings never change meaning.
 *
 * @see docs/errors.md for the cause, what the user sees and the fix of each code.
 */
export type ErrorCode =
  | 'access_denied'
  | 'invalid_state'
  | 'invalid_request'
  | 'provider_error'
  | 'provider_unavailable'
  | 'unknown_provider'
  | 'unauthenticated'
  | 'store_unavailable'
  | 'invalid_config'
  | 'reauth_required'
  | 'not_connected'
  | 'token_unreadable'
  | 'account_conflict'
  | 'account_mismatch'
  | 'sign_in_denied'
  | 'email_conflict'
  | 'insufficient_scope'
  | 'last_sign_in_method'
  | 'rate_limited'
  | 'invalid_grant'
  | 'internal_error';

/**
 * The one table of error codes: the HTTP status each answers with, the message end users may see, and whether it
 * ends a login attempt (a browser then goes to `failureRedirect?error=<code>` when one is configured).
 */
const CODES: Record<ErrorCode, { status: number; publicMessage: string; endsLogin: boolean }> = {
  access_denied: {
    status: 403,
    publicMessage: 'The sign-in was cancelled or refused at the provider.',
    endsLogin: true,
  },
  invalid_state: {
    status: 400,
    publicMessage: 'The sign-in attempt is invalid or has expired. Please start again.',
    endsLogin: true,
  },
  invalid_request: {
    status: 400,
    publicMessage: 'The request is malformed.',
    endsLogin: true,
  },
  provider_error: {
    status: 502,
    publicMessage: 'The identity provider returned an error. Please try again.',
    endsLogin: true,
  },
  provider_unavailable: {
    status: 503,
    publicMessage: 'The identity provider is busy. Please try again in a moment.',
    endsLogin: true,
  },
  unknown_provider: {
    status: 404,
    publicMessage: 'There is no such sign-in provider.',
    endsLogin: false,
  },
  unauthenticated: {
    status: 401,
    publicMessage: 'You need to sign in.',
    endsLogin: false,
  },
  store_unavailable: {
    status: 503,
    publicMessage: 'The service is temporarily unavailable. Please try again shortly.',
    endsLogin: true,
  },
  invalid_config: {
    status: 500,
    publicMessage: 'The server is misconfigured.',
    endsLogin: false,
  },
  reauth_required: {
    status: 401,
    publicMessage: 'The connection to this provider has expired. Please reconnect your account.',
    endsLogin: false,
  },
  not_connected: {
    status: 403,
    publicMessage: 'This account is not connected to that provider.',
    endsLogin: false,
  },
  token_unreadable: {
    status: 500,
    publicMessage: 'A stored credential could not be read.',
    endsLogin: false,
  },
  account_conflict: {
    status: 409,
    publicMessage: 'This provider account is already connected to another user.',
    endsLogin: true,
  },
  account_mismatch: {
    status: 409,
    publicMessage:
      'You signed in at the provider with a different account than the one connected to this user. Sign in with the connected account, or sign out first.',
    endsLogin: true,
  },
  sign_in_denied: {
    status: 403,
    publicMessage: 'This sign-in is not allowed here.',
    endsLogin: true,
  },
  email_conflict: {
    status: 409,
    publicMessage:
      'An account with this email already exists. Sign in with the provider you used before, then connect this one.',
    endsLogin: true,
  },
  insufficient_scope: {
    status: 403,
    publicMessage: 'This needs more permissions from the provider.',
    endsLogin: false,
  },
  last_sign_in_method: {
    status: 409,
    publicMessage:
      'This is the only way to sign in to this account. Connect another sign-in method before removing it.',
    endsLogin: false,
  },
  rate_limited: {
    status: 429,
    publicMessage: 'Too many attempts. Please wait a moment and try again.',
    endsLogin: false,
  },
  invalid_grant: {
    status: 400,
    publicMessage: 'The code or session token is invalid, expired or already used. Please sign in again.',
    endsLogin: false,
  },
  internal_error: {
    status: 500,
    publicMessage: 'Something went wrong.',
    endsLogin: false,
  },
};

const DOCS_BASE = 'https://github.com/express-oauth-router/express-oauth-router/blob/main/docs/errors.md';

/** Options accepted by {@link OAuthRouterError}. */
export interface OAuthRouterErrorOptions {
  /** The underlying error; kept non-enumerable so it never reaches `JSON.stringify` or a log line by accident. */
  cause?: unknown;
  /** Overrides the default HTTP status of the code. */
  status?: number;
  /** The provider the error concerns, when there is one. */
  provider?: string;
  /** The OAuth error code the provider answered with (e.g. `invalid_grant`), when there is one. */
  providerError?: string;
}

/**
 * The one error class of this library. Every failure that reaches an application carries a stable
 * snake_case {@link ErrorCode}, the HTTP status it maps to, and whether its message may be shown to
 * end users (`expose`). Internal detail lives in `message` (for logs) and `cause` (non-enumerable);
 * responses only ever carry {@link OAuthRouterError.publicMessage}.
 *
 * @example
 * ```ts
 * app.use((err, req, res, next) => {
 *   if (err instanceof OAuthRouterError && err.code === 'access_denied') return res.redirect('/');
 *   next(err);
 * });
 * ```
 */
export class OAuthRouterError extends Error {
  /** The stable machine-readable code. */
  readonly code: ErrorCode;
  /** The HTTP status this error answers with. */
  readonly status: number;
  /** Whether {@link OAuthRouterError.publicMessage} is meant for end users (true for 4xx). */
  readonly expose: boolean;
  /** The provider the error concerns, when there is one. */
  readonly provider: string | undefined;
  /** Link to the section of docs/errors.md that explains this code. */
  readonly docs: string;
  /** The OAuth error code the provider answered with (e.g. `invalid_grant`), when there is one. */
  readonly providerError: string | undefined;

  /**
   * @param code - The stable code.
   * @param message - Detail for logs; never sent to clients. Must not contain secrets.
   * @param options - Cause, status override and provider.
   */
  constructor(code: ErrorCode, message: string, options: OAuthRouterErrorOptions = {}) {
    super(message);
    this.name = 'OAuthRouterError';
    this.code = code;
    this.status = options.status ?? CODES[code].status;
    this.expose = this.status < 500;
    this.provider = options.provider;
    this.providerError = options.providerError;
    this.docs = `${DOCS_BASE}#${code}`;
    if (options.cause !== undefined) {
      Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false, writable: true });
    }
  }

  /** The message safe to show an end user for this code. */
  get publicMessage(): string {
    return CODES[this.code].publicMessage;
  }

  /** The JSON body the auth routes answer with: `{ error, message }`, nothing internal. */
  toJSON(): { error: ErrorCode; message: string } {
    return { error: this.code, message: this.publicMessage };
  }
}

/**
 * The user must sign in to the provider again: its refresh token was revoked, expired or reused
 * (`invalid_grant`), or there was none. The connection is marked `needs_reauth` until they do; send them to
 * `loginUrl` to reconnect.
 *
 * @example
 * ```ts
 * try { await req.oauth.fetch('github', url); }
 * catch (err) { if (err instanceof ReauthRequiredError) return res.redirect(err.loginUrl); throw err; }
 * ```
 */
export class ReauthRequiredError extends OAuthRouterError {
  /** The login route that reconnects the provider, relative to the app's origin. */
  readonly loginUrl: string;

  /**
   * @param provider - The provider to reconnect.
   * @param loginUrl - Its login route.
   * @param options - Cause and provider error.
   */
  constructor(provider: string, loginUrl: string, options: OAuthRouterErrorOptions = {}) {
    super('reauth_required', `${provider}: the connection needs the user to sign in again`, {
      ...options,
      provider,
    });
    this.name = 'ReauthRequiredError';
    this.loginUrl = loginUrl;
  }

  override toJSON(): { error: ErrorCode; message: string; provider: string; loginUrl: string } {
    return { ...super.toJSON(), provider: this.provider as string, loginUrl: this.loginUrl };
  }
}

/**
 * A login through a provider that the signed-in user already has linked came back with another account of that
 * provider (someone else at the provider's login form, a shared computer, a pre-filled "Reconnect"). Nothing was
 * changed: the session, the user, its links and its stored tokens stay as they were.
 *
 * @example
 * ```ts
 * if (err instanceof AccountMismatchError) res.render('reconnect', { expected: err.expectedAccount });
 * ```
 */
export class AccountMismatchError extends OAuthRouterError {
  /**
   * Which account the user should sign in with: the signed-in user's masked email (`r***@example.com`) or
   * display name, or undefined when the user has neither. Safe to show to the person at the browser.
   */
  readonly expectedAccount: string | undefined;

  /**
   * @param provider - The provider whose account differed.
   * @param expectedAccount - The masked hint (see {@link AccountMismatchError.expectedAccount}).
   */
  constructor(provider: string, expectedAccount: string | undefined) {
    super(
      'account_mismatch',
      `${provider}: the login returned another account than the one linked to the signed-in user`,
      {
        provider,
      },
    );
    this.name = 'AccountMismatchError';
    this.expectedAccount = expectedAccount;
  }

  override toJSON(): { error: ErrorCode; message: string; provider: string; expectedAccount?: string } {
    return {
      ...super.toJSON(),
      provider: this.provider as string,
      ...(this.expectedAccount === undefined ? {} : { expectedAccount: this.expectedAccount }),
    };
  }
}

/** Thrown at startup when the configuration is invalid; lists every problem at once. */
export class ConfigError extends OAuthRouterError {
  /** Each problem, naming the full path of the field and the fix. */
  readonly problems: readonly string[];

  /** @param problems - One line per problem: `path: what is wrong: how to fix it`. */
  constructor(problems: readonly string[]) {
    super('invalid_config', `Invalid express-oauth-router configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Normalises anything thrown inside the library into an {@link OAuthRouterError}. Unknown errors become
 * `internal_error` so callers never see a raw exception message or stack.
 *
 * @param err - What was thrown.
 * @returns An OAuthRouterError wrapping it.
 */
export function toOAuthRouterError(err: unknown): OAuthRouterError {
  if (err instanceof OAuthRouterError) return err;
  return new OAuthRouterError('internal_error', 'Unexpected error', { cause: err });
}

/** Store adapters throw this when their backend cannot be reached, so requests fail closed with 503. */
export function storeUnavailable(cause: unknown): OAuthRouterError {
  return new OAuthRouterError('store_unavailable', 'The store is unreachable', { cause });
}

/**
 * Whether an error code ends a login attempt, so that a browser is sent to `failureRedirect` with it.
 *
 * @param code - The error code.
 * @returns True for the codes a failed sign-in can end with.
 */
export function endsLogin(code: ErrorCode): boolean {
  return CODES[code].endsLogin;
}

/**
 * The app refused a sign-in (`hooks.onSignIn` answered `{ deny }`, or `hooks.findOrCreateUser` threw this).
 * Nothing was written: no user, no link, no tokens, no session. Its public message is the app's own words.
 *
 * @example
 * ```ts
 * findOrCreateUser: async (profile) => {
 *   if (!profile.email?.endsWith('@acme.com')) throw new SignInDeniedError('Use your acme.com account.');
 *   return findOrCreate(profile);
 * },
 * ```
 */
export class SignInDeniedError extends OAuthRouterError {
  readonly #publicMessage: string;

  /**
   * @param publicMessage - Shown to the person signing in as is (JSON `message`, and `message` on
   *   `failureRedirect`): say what they can do instead.
   * @param provider - The provider of the refused sign-in, when known.
   */
  constructor(publicMessage: string, provider?: string) {
    super('sign_in_denied', 'The app refused the sign-in', { provider });
    this.name = 'SignInDeniedError';
    this.#publicMessage = publicMessage;
  }

  override get publicMessage(): string {
    return this.#publicMessage;
  }
}

/**
 * A provider API refused the call for want of a scope the user never granted (RFC 6750 §3.1
 * `insufficient_scope`, GitHub's accepted-scopes headers, Google's `ACCESS_TOKEN_SCOPE_INSUFFICIENT`). Send the
 * user to `loginUrl` to grant them (incremental consent); nothing was changed.
 *
 * @example
 * ```ts
 * catch (err) { if (err instanceof InsufficientScopeError) return res.redirect(err.loginUrl); throw err; }
 * ```
 */
export class InsufficientScopeError extends OAuthRouterError {
  /** The scopes the provider said the call needs (empty when it did not say which). */
  readonly missingScopes: string[];
  /** The login route that asks the provider for them, relative to the app's origin. */
  readonly loginUrl: string;

  /**
   * @param provider - The provider whose API refused.
   * @param missingScopes - What it asked for.
   * @param loginUrl - The login route asking for them.
   */
  constructor(provider: string, missingScopes: string[], loginUrl: string) {
    super('insufficient_scope', `${provider}: the API call needs scopes the user has not granted`, {
      provider,
    });
    this.name = 'InsufficientScopeError';
    this.missingScopes = missingScopes;
    this.loginUrl = loginUrl;
  }

  override toJSON(): {
    error: ErrorCode;
    message: string;
    provider: string;
    missingScopes: string[];
    loginUrl: string;
  } {
    return {
      ...super.toJSON(),
      provider: this.provider as string,
      missingScopes: this.missingScopes,
      loginUrl: this.loginUrl,
    };
  }
}

/**
 * The provider's token endpoint answered 429 or 503 with `Retry-After`: no instance calls it again before
 * `retryAt` (the wait is shared through the router's store), and calls until then fail at once with this error.
 * Auth routes answer 503 with a `Retry-After` header.
 *
 * @example
 * ```ts
 * if (err instanceof ProviderUnavailableError) res.set('Retry-After', String(err.retryAfterSeconds())).sendStatus(503);
 * ```
 */
export class ProviderUnavailableError extends OAuthRouterError {
  /** When the provider may be called again. */
  readonly retryAt: Date;

  /**
   * @param provider - The provider that asked to wait.
   * @param retryAt - When it may be called again.
   * @param options - Cause and the provider's own error code.
   */
  constructor(provider: string, retryAt: Date, options: OAuthRouterErrorOptions = {}) {
    super(
      'provider_unavailable',
      `${provider}: the token endpoint asked to wait until ${retryAt.toISOString()}`,
      { ...options, provider },
    );
    this.name = 'ProviderUnavailableError';
    this.retryAt = retryAt;
  }

  /** Whole seconds until {@link ProviderUnavailableError.retryAt}, at least 1: the value of a `Retry-After` header. */
  retryAfterSeconds(now: number = Date.now()): number {
    return Math.max(1, Math.ceil((this.retryAt.getTime() - now) / 1000));
  }

  override toJSON(): { error: ErrorCode; message: string; provider: string; retryAfter: number } {
    return { ...super.toJSON(), provider: this.provider as string, retryAfter: this.retryAfterSeconds() };
  }
}
