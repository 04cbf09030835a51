/**
 * Which sessions each user has, so that an app can list a user's devices and end them (one, or all at once:
 * "sign out everywhere"). Browser sessions live in the session store and app sessions in the KvStore, neither of
 * which can be searched by user; this index can. It holds references to sessions, never their contents.
 */

/** Where a sign-in came from at the provider, kept when the provider may log it out over the back channel. */
export interface ProviderOrigin {
  /** The provider's subject. */
  sub: string;
  /** The provider's session id, when its id_token has one. */
  sid: string | undefined;
}

/** One session of a user, as the index keeps it. */
export interface SessionIndexEntry {
  /** Stable, non-secret id of the session (a hash of `ref`), for lists and for ending one session. */
  id: string;
  /** `browser`: a cookie session. `app`: a bearer session family (mobile or single-page app). */
  kind: 'browser' | 'app';
  /** The session id (browser) or family id (app) that ends it. Secret: never shown to anyone. */
  ref: string;
  /** The provider the user signed in with. */
  provider: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** When the session ends at the latest, in milliseconds since the epoch. */
  expiresAt: number;
  /** The User-Agent at sign-in, at most 256 characters. */
  userAgent: string | null;
  /** The client address at sign-in, only when `session.recordIp` is on. */
  ip: string | null;
  /** The provider's session id (`sid`) the sign-in came from, kept for back-channel logout. */
  providerSid?: string;
}

/**
 * Where the per-user session index lives: Redis when the router has it, else process memory. Implementations
 * must make {@link SessionIndex.takeAll} atomic, so a session indexed concurrently is either ended or kept
 * listed, never lost.
 */
export interface SessionIndex {
  /** Adds (or replaces) an entry; the user's index lives at least until the entry expires. */
  add(userId: string, entry: SessionIndexEntry): Promise<void>;
  /** @returns The user's entries that have not expired, in no particular order. */
  list(userId: string): Promise<SessionIndexEntry[]>;
  /** Removes one entry; removing a missing one is not an error. */
  remove(userId: string, id: string): Promise<void>;
  /** Atomically removes and returns every entry of the user. */
  takeAll(userId: string): Promise<SessionIndexEntry[]>;
}
