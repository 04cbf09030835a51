import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KvStore } from '../adapters/kv-store.js';
import { OAuthRouterError } from '../errors.js';
import type { OAuthUser } from '../users/types.js';
import type { ProviderOrigin } from './session-index.js';

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
  /** Idle limit: a refresh token unused this long expires. */
  refreshToken: number;
  /** Absolute limit: a session family ends this long after its exchange, however often it refreshes. */
  session: number;
}

interface Family {
  user: OAuthUser;
  provider: string;
  /**
   * Milliseconds since the epoch when the family ends (its absolute lifetime); the store's TTL matches it. Missing
   * only in records written before absolute lifetimes existed.
   */
  expiresAt?: number;
}
interface Pending {
  user: OAuthUser;
  provider: string;
  /** S256 challenge of the verifier the app must present. Missing only in codes minted by older versions. */
  challenge?: string;
  /** The provider subject and session the sign-in came from, for back-channel logout. */
  origin?: ProviderOrigin;
}

const ACCESS_PREFIX = 'oar_at_';
const REFRESH_PREFIX = 'oar_rt_';
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * Sessions for clients that cannot hold a cookie (mobile apps, single-page apps on another origin). Every secret
 * is opaque, random (32 bytes) and stored only as its SHA-256: a leaked store yields nothing usable.
 * - An exchange code is single-use (atomic take), short-lived, and bound to the app instance that started the
 *   login by a PKCE verifier (S256): whoever intercepts the callback URL cannot redeem it.
 * - Access and refresh tokens belong to a family; refresh rotates both; presenting a refresh token that was
 *   already used revokes the whole family (reuse detection, RFC 9700 §4.14.2); logout revokes the family.
 * - The family record is written once, at the exchange, with the session's absolute lifetime as its TTL, and only
 *   ever deleted afterwards: nothing a refresh does can bring back a family that logout or reuse detection revoked,
 *   and no token outlives its family (every TTL is capped at what is left of it).
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

  /**
   * Mints the one-time code an app receives at its callback URL.
   * @param challenge - The S256 challenge the app sent at login; only the holder of its verifier can redeem the code.
   */
  async mintExchangeCode(
    user: OAuthUser,
    provider: string,
    challenge: string,
    origin?: ProviderOrigin,
  ): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const pending: Pending = { user, provider, challenge, ...(origin ? { origin } : {}) };
    await this.#store.set(this.#key('code', code), JSON.stringify(pending), this.#ttl.exchangeCode);
    return code;
  }

  /**
   * Redeems an exchange code (once) for a new session. The code is consumed before the verifier is checked, so a
   * wrong guess burns it: an interceptor gets one try, and then neither it nor the app can use the code.
   * @throws OAuthRouterError `invalid_grant` for an unknown, expired or used code, or a missing or wrong verifier
   * (RFC 7636 §4.6).
   */
  async exchange(code: string, verifier: string | undefined): Promise<BearerSessionTokens> {
    return (await this.exchangeForFamily(code, verifier)).tokens;
  }

  /**
   * {@link BearerSessions.exchange}, also saying which family the new session is (for the user's session index).
   * @throws OAuthRouterError `invalid_grant`, as `exchange`.
   */
  async exchangeForFamily(
    code: string,
    verifier: string | undefined,
  ): Promise<{
    tokens: BearerSessionTokens;
    familyId: string;
    provider: string;
    expiresAt: number;
    origin: ProviderOrigin | undefined;
  }> {
    const invalid = () =>
      new OAuthRouterError('invalid_grant', 'Exchange code unknown, expired, used, or verifier mismatch');
    if (code.length > 128) throw invalid();
    const json = await this.#store.take(this.#key('code', code));
    if (!json) throw invalid();
    const pending = JSON.parse(json) as Pending;
    // A code without a challenge (minted by an older version) is refused: it could be redeemed by anyone.
    if (typeof pending.challenge !== 'string') throw invalid();
    if (verifier === undefined || !VERIFIER.test(verifier)) throw invalid();
    const actual = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
    const expected = Buffer.from(pending.challenge);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw invalid();
    const familyId = randomBytes(16).toString('base64url');
    const family: Family = {
      user: pending.user,
      provider: pending.provider,
      expiresAt: Date.now() + this.#ttl.session * 1000,
    };
    // The only write of the family record: refresh and authenticate read it, logout and reuse delete it.
    await this.#store.set(this.#key('family', familyId), JSON.stringify(family), this.#ttl.session);
    return {
      tokens: await this.#issue(familyId, family, this.#ttl.session),
      familyId,
      provider: family.provider,
      expiresAt: family.expiresAt as number,
      origin: pending.origin,
    };
  }

  /**
   * Rotates a refresh token. A token presented twice means it leaked (or an attacker raced the app): the whole
   * family is revoked, so the attacker's copy and the app's both stop working. This holds under concurrency: the
   * refresh token's own key is never changed, and a presentation claims it by an atomic write-if-absent of its
   * "used" mark, so of two concurrent presentations exactly one claims it and the other sees the mark and revokes.
   * @throws OAuthRouterError `invalid_grant`.
   */
  async refresh(refreshToken: string): Promise<BearerSessionTokens> {
    const invalid = (why: string) => new OAuthRouterError('invalid_grant', why);
    if (!refreshToken.startsWith(REFRESH_PREFIX) || refreshToken.length > 128) {
      throw invalid('Not a session refresh token');
    }
    const familyId = await this.#store.get(this.#key('refresh', refreshToken));
    if (!familyId) throw invalid('Refresh token unknown or expired');
    const live = await this.#family(familyId);
    if (!live) throw invalid('Session revoked or expired');
    const { family, remaining } = live;
    // The mark lives as long as the family may: the token's own TTL was capped at that when it was issued.
    const first = await this.#store.setIfAbsent(this.#key('used', refreshToken), familyId, remaining);
    if (!first) {
      await this.revoke(familyId);
      throw invalid('Refresh token reused: the session family is revoked');
    }
    return this.#issue(familyId, family, remaining);
  }

  /** Resolves an access token to its user, or null when it is not ours, expired, or its family was revoked. */
  async authenticate(accessToken: string): Promise<{ user: OAuthUser; familyId: string } | null> {
    if (!accessToken.startsWith(ACCESS_PREFIX) || accessToken.length > 128) return null;
    const familyId = await this.#store.get(this.#key('access', accessToken));
    if (!familyId) return null;
    const live = await this.#family(familyId);
    return live ? { user: live.family.user, familyId } : null;
  }

  /** Whether a session family is still live (not revoked, not past its lifetime). */
  async alive(familyId: string): Promise<boolean> {
    return (await this.#family(familyId)) !== null;
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

  /** Mints a new access and refresh token of the family, neither outliving it (`remaining` seconds). */
  async #issue(familyId: string, family: Family, remaining: number): Promise<BearerSessionTokens> {
    const accessToken = `${ACCESS_PREFIX}${randomBytes(32).toString('base64url')}`;
    const refreshToken = `${REFRESH_PREFIX}${randomBytes(32).toString('base64url')}`;
    const accessTtl = Math.min(this.#ttl.accessToken, remaining);
    // Keys that point at a family revoked meanwhile are harmless: every lookup goes through the family record.
    await this.#store.set(this.#key('access', accessToken), familyId, accessTtl);
    await this.#store.set(
      this.#key('refresh', refreshToken),
      familyId,
      Math.min(this.#ttl.refreshToken, remaining),
    );
    return {
      accessToken,
      refreshToken,
      expiresIn: accessTtl,
      tokenType: 'Bearer',
      user: family.user,
    };
  }

  /**
   * The family record and the whole seconds left of its absolute lifetime (at least 1), or null when it was
   * revoked or its lifetime is over. Rounded down, so that no TTL derived from it outlives the family.
   */
  async #family(familyId: string): Promise<{ family: Family; remaining: number } | null> {
    const json = await this.#store.get(this.#key('family', familyId));
    if (!json) return null;
    const family = JSON.parse(json) as Family;
    // A record written before absolute lifetimes existed has no expiresAt; it is no longer rewritten, so its store
    // TTL (at most the refresh-token lifetime) ends it, and its tokens are capped at that.
    const remaining =
      typeof family.expiresAt === 'number'
        ? Math.floor((family.expiresAt - Date.now()) / 1000)
        : this.#ttl.refreshToken;
    return remaining >= 1 ? { family, remaining } : null;
  }

  // Secrets are stored only as SHA-256 hashes; family ids are not secrets.
  #key(kind: 'code' | 'family' | 'access' | 'refresh' | 'used', secret: string): string {
    const id = kind === 'family' ? secret : createHash('sha256').update(secret).digest('base64url');
    return `${this.#prefix}${kind}:${id}`;
  }
}
