import type { Logger } from '../config/types.js';
import { OAuthRouterError } from '../errors.js';
import type { RouterEvents } from '../events.js';
import type { UserSession, UserSessions } from '../session/user-sessions.js';
import type { Disconnected, TokenVault } from '../tokens/vault.js';
import type { LinkedAccount, UserRepository } from './types.js';

/** Options of {@link UserAccounts.unlink}. */
export interface UnlinkOptions {
  /** Revoke the provider's tokens (RFC 7009) before deleting them. Default true. */
  revoke?: boolean;
  /** Allow removing the user's last linked provider (they can then no longer sign in). Default false. */
  allowLast?: boolean;
}

/** What {@link UserAccounts} is built from. */
export interface UserAccountsOptions {
  users: UserRepository;
  /** `hooks.findOrCreateUser` is set: the app's own table holds users and links, not `users`. */
  appOwnsUsers: boolean;
  vault: TokenVault | undefined;
  sessions: UserSessions;
  events: RouterEvents;
  logger: Required<Logger>;
}

/**
 * A user's account lifecycle (`router.users`): their devices, signing them out everywhere, unlinking a provider,
 * deleting them. Everything works by user id, inside or outside a request, on any instance.
 */
export class UserAccounts {
  readonly #o: UserAccountsOptions;

  /** @param options - Stores and the router's events. */
  constructor(options: UserAccountsOptions) {
    this.#o = options;
  }

  /**
   * The user's active sessions ("your devices"), browser and app, newest first. Sessions created before sessions
   * were indexed are not listed.
   * @param userId - The user.
   * @param current - The asking request's session id or app session family, to mark its entry `current`.
   */
  sessions(userId: string, current?: { sessionId?: string; familyId?: string }): Promise<UserSession[]> {
    return this.#o.sessions.list(userId, current);
  }

  /**
   * Signs one of the user's sessions out (an id from {@link UserAccounts.sessions}), on every instance.
   * @returns false when the user has no such session.
   */
  async endSession(userId: string, sessionId: string): Promise<boolean> {
    const ended = await this.#o.sessions.end(userId, sessionId);
    if (ended) this.#o.events.emit('sessionsEnded', { userId, count: 1 });
    return ended;
  }

  /**
   * Ends every browser and app session of the user at once, on every instance: the next request of each is
   * signed out. Stored provider connections are kept (use {@link UserAccounts.unlink} or `disconnect` for those).
   * @returns How many sessions were ended.
   */
  async signOutEverywhere(userId: string): Promise<{ ended: number }> {
    const ended = await this.#o.sessions.endAll(userId);
    this.#o.events.emit('sessionsEnded', { userId, count: ended });
    this.#o.logger.info('express-oauth-router: signed out everywhere', { userId, sessions: ended });
    return { ended };
  }

  /**
   * Unlinks a provider from the user: revokes its tokens where the provider supports it, deletes them, and removes
   * the link, so signing in with that provider account no longer reaches this user. The user, their sessions and
   * their other providers stay.
   * @throws OAuthRouterError `last_sign_in_method` when it is the user's only linked provider and `allowLast` is
   *   not set; `not_connected` when the provider is neither linked nor connected; `invalid_config` when the
   *   user repository cannot unlink.
   */
  async unlink(
    userId: string,
    provider: string,
    options: UnlinkOptions = {},
  ): Promise<{ unlinked: LinkedAccount[] } & Disconnected> {
    const { users, vault, appOwnsUsers } = this.#o;
    let linked: LinkedAccount[] = [];
    if (!appOwnsUsers) {
      if (!users.unlinkProvider) {
        throw new OAuthRouterError(
          'invalid_config',
          'userRepository has no unlinkProvider(userId, provider): implement it to unlink providers',
        );
      }
      const accounts = await users.listAccounts(userId);
      linked = accounts.filter((a) => a.provider === provider);
      if (linked.length > 0 && linked.length === accounts.length && !options.allowLast) {
        throw new OAuthRouterError(
          'last_sign_in_method',
          `${provider} is the only provider the user can sign in with: pass { allowLast: true } to unlink it anyway`,
          { provider },
        );
      }
    }
    const connected = vault ? (await vault.connections(userId)).some((c) => c.provider === provider) : false;
    if (linked.length === 0 && !connected) {
      throw new OAuthRouterError('not_connected', `${provider}: the user has no link or connection to it`, {
        provider,
      });
    }
    const disconnected: Disconnected =
      connected && vault
        ? await vault.disconnect(userId, provider, options.revoke ?? true)
        : { revoked: false };
    const unlinked =
      appOwnsUsers || !users.unlinkProvider ? [] : await users.unlinkProvider(userId, provider);
    this.#o.events.emit('accountUnlinked', { userId, provider });
    return { unlinked, ...disconnected };
  }

  /**
   * Deletes the user everywhere: ends every session, revokes (where supported) and deletes every connection, then
   * deletes the user and its links. With `hooks.findOrCreateUser` the user's row is the app's to delete; sessions
   * and connections are still removed here.
   * @throws OAuthRouterError `invalid_config` when the user repository cannot delete users.
   */
  async delete(userId: string): Promise<{ sessionsEnded: number; connectionsRemoved: number }> {
    const { users, vault, appOwnsUsers } = this.#o;
    if (!appOwnsUsers && !users.deleteUser) {
      throw new OAuthRouterError(
        'invalid_config',
        'userRepository has no deleteUser(userId): implement it to delete users',
      );
    }
    const sessionsEnded = await this.#o.sessions.endAll(userId);
    let connectionsRemoved = 0;
    if (vault) {
      for (const { provider } of await vault.connections(userId)) {
        await vault.disconnect(userId, provider, true);
        connectionsRemoved += 1;
      }
    }
    if (!appOwnsUsers) await users.deleteUser?.(userId);
    this.#o.events.emit('userDeleted', { userId });
    this.#o.logger.info('express-oauth-router: deleted a user', {
      userId,
      sessionsEnded,
      connectionsRemoved,
    });
    return { sessionsEnded, connectionsRemoved };
  }
}
