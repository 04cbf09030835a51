import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { OAuthRouterError } from '../errors.js';
import type { KvStore } from '../stores/types.js';
import type { OAuthUser } from '../users/types.js';

/** What `POST /auth/session` and `POST /auth/session/refresh` return to an app. */
export interface BearerSessionTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds until `accessToken` expires. */
  expiresIn: number;
  tokenType: 'Bearer';
  user: OAuthUser;
}

/** Lifetimes of the tokens, in seconds. */
export interface BearerSessionLifetimes {
  exchangeCode: number;
  accessToken: number;
  refreshToken: number;
}

interface Family {
  user: OAuthUser;
  provider: string;
}
interface Pending extends Family {
  /** S256 challenge of the verifier the app must present, when it supplied one at login. */
  challenge: string | undefined;
}

const ACCESS_PREFIX = 'oar_at_';
const REFRESH_PREFIX = 'oar_rt_';

/**
 * Sessions for clients that cannot hold a cookie (mobile apps, single-page apps on another origin). Every secret
 * is opaque, random (32 bytes) and stored only as its SHA-256: a leaked store yields nothing usable.
 * - An exchange code is single-use (atomic take), short-lived, and optionally bound to the app instance by a
 *   PKCE-style verifier.
 * - Access and refresh tokens belong to a family; refresh rotates both; presenting a refresh token that was
 *   already used revokes the whole family (reuse detection, RFC 9700 §4.14.2); logout revokes the family.
 */
export class BearerSessions {
  readonly #store: KvStore;
  readonly #prefix: string;
  readonly #ttl: BearerSessionLifetimes;

  /**
   * @param store - Where hashed tokens live (the router's Redis or memory store).
   * @param prefix - Key prefix.
   * @param ttl - Lifetimes in seconds.
   */
  constructor(store: KvStore, prefix: string, ttl: BearerSessionLifetimes) {
    this.#store = store;
    this.#prefix = `${prefix}bearer:`;
    this.#ttl = ttl;
  }

  /** Mints the one-time code an app receives at its callback URL. */
  async mintExchangeCode(user: OAuthUser, provider: string, challenge: string | undefined): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const pending: Pending = { user, provider, challenge };
    await this.#store.set(this.#key('code', code), JSON.stringify(pending), this.#ttl.exchangeCode);
    return code;
  }

  /**
   * Redeems an exchange code (once) for a new session.
   * @throws OAuthRouterError `invalid_grant` for an unknown, expired or used code, or a wrong verifier.
   */
  async exchange(code: unknown, verifier: unknown): Promise<BearerSessionTokens> {
    const invalid = () =>
      new OAuthRouterError('invalid_grant', 'Exchange code unknown, expired, used, or verifier mismatch');
    if (typeof code !== 'string' || code.length > 128) throw invalid();
    const json = await this.#store.take(this.#key('code', code));
    if (!json) throw invalid();
    const pending = JSON.parse(json) as Pending;
    if (pending.challenge !== undefined) {
      if (typeof verifier !== 'string' || verifier.length < 43 || verifier.length > 128) throw invalid();
      const actual = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
      const expected = Buffer.from(pending.challenge);
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw invalid();
    }
    const familyId = randomBytes(16).toString('base64url');
    const family: Family = { user: pending.user, provider: pending.provider };
    await this.#store.set(this.#key('family', familyId), JSON.stringify(family), this.#ttl.refreshToken);
    return this.#issue(familyId, family);
  }

  /**
   * Rotates a refresh token. A token presented twice means it leaked (or an attacker raced the app): the whole
   * family is revoked, so the attacker's copy and the app's both stop working.
   * @throws OAuthRouterError `invalid_grant`.
   */
  async refresh(refreshToken: unknown): Promise<BearerSessionTokens> {
    const invalid = (why: string) => new OAuthRouterError('invalid_grant', why);
    if (
      typeof refreshToken !== 'string' ||
      !refreshToken.startsWith(REFRESH_PREFIX) ||
      refreshToken.length > 128
    ) {
      throw invalid('Not a session refresh token');
    }
    const familyId = await this.#store.take(this.#key('refresh', refreshToken));
    if (!familyId) {
      const reused = await this.#store.get(this.#key('used', refreshToken));
      if (reused) {
        await this.#store.delete(this.#key('family', reused));
        throw invalid('Refresh token reused: the session family is revoked');
      }
      throw invalid('Refresh token unknown or expired');
    }
    await this.#store.set(this.#key('used', refreshToken), familyId, this.#ttl.refreshToken);
    const json = await this.#store.get(this.#key('family', familyId));
    if (!json) throw invalid('Session revoked');
    const family = JSON.parse(json) as Family;
    await this.#store.set(this.#key('family', familyId), json, this.#ttl.refreshToken);
    return this.#issue(familyId, family);
  }

  /** Resolves an access token to its user, or null when it is not ours, expired, or its family was revoked. */
  async authenticate(accessToken: string): Promise<{ user: OAuthUser; familyId: string } | null> {
    if (!accessToken.startsWith(ACCESS_PREFIX) || accessToken.length > 128) return null;
    const familyId = await this.#store.get(this.#key('access', accessToken));
    if (!familyId) return null;
    const json = await this.#store.get(this.#key('family', familyId));
    return json ? { user: (JSON.parse(json) as Family).user, familyId } : null;
  }

  /** Revokes every token of a session family (logout). */
  async revoke(familyId: string): Promise<void> {
    await this.#store.delete(this.#key('family', familyId));
  }

  /** The session access token in an Authorization header, if it carries one of ours (worth a store lookup). */
  static bearerToken(header: string | undefined): string | undefined {
    if (!header?.startsWith(`Bearer ${ACCESS_PREFIX}`)) return undefined;
    return header.slice('Bearer '.length).trim();
  }

  async #issue(familyId: string, family: Family): Promise<BearerSessionTokens> {
    const accessToken = `${ACCESS_PREFIX}${randomBytes(32).toString('base64url')}`;
    const refreshToken = `${REFRESH_PREFIX}${randomBytes(32).toString('base64url')}`;
    await this.#store.set(this.#key('access', accessToken), familyId, this.#ttl.accessToken);
    await this.#store.set(this.#key('refresh', refreshToken), familyId, this.#ttl.refreshToken);
    return {
      accessToken,
      refreshToken,
      expiresIn: this.#ttl.accessToken,
      tokenType: 'Bearer',
      user: family.user,
    };
  }

  // Secrets are stored only as SHA-256 hashes; family ids are not secrets.
  #key(kind: 'code' | 'family' | 'access' | 'refresh' | 'used', secret: string): string {
    const id = kind === 'family' ? secret : createHash('sha256').update(secret).digest('base64url');
    return `${this.#prefix}${kind}:${id}`;
  }
}
