import type { Profile } from '../../providers/types.js';
import { newUserFromProfile, normalizeEmail } from '../../users/new-user.js';
import type { LinkedAccount, OAuthUser, UserRepository } from '../../users/types.js';

const accountKey = (a: LinkedAccount) => `${a.provider}\u0000${a.providerAccountId}`;

/**
 * In-process {@link UserRepository} for development and tests; lost on restart.
 */
export class MemoryUserRepository implements UserRepository {
  readonly #users = new Map<string, OAuthUser>();
  readonly #accounts = new Map<string, string>();
  readonly #accountsByUser = new Map<string, LinkedAccount[]>();
  readonly #emails = new Map<string, string>();

  async findById(id: string): Promise<OAuthUser | null> {
    return clone(this.#users.get(id));
  }

  async findByAccount(account: LinkedAccount): Promise<OAuthUser | null> {
    const id = this.#accounts.get(accountKey(account));
    return id ? clone(this.#users.get(id)) : null;
  }

  async findByVerifiedEmail(email: string): Promise<OAuthUser | null> {
    const id = this.#emails.get(normalizeEmail(email));
    return id ? clone(this.#users.get(id)) : null;
  }

  async createFromProfile(profile: Profile): Promise<OAuthUser> {
    // No await between the check and the writes: concurrent first sign-ins of one account must not both create.
    const ownerId = this.#accounts.get(accountKey(profile));
    const owner = ownerId ? this.#users.get(ownerId) : undefined;
    if (owner) return { ...owner };
    const user = newUserFromProfile(profile);
    this.#users.set(user.id, user);
    if (user.email && user.emailVerified && !this.#emails.has(normalizeEmail(user.email))) {
      this.#emails.set(normalizeEmail(user.email), user.id);
    }
    this.#link(user.id, profile);
    return { ...user };
  }

  async linkAccount(userId: string, account: LinkedAccount): Promise<boolean> {
    return this.#link(userId, account);
  }

  #link(userId: string, account: LinkedAccount): boolean {
    const key = accountKey(account);
    const owner = this.#accounts.get(key);
    if (owner) return owner === userId;
    this.#accounts.set(key, userId);
    const list = this.#accountsByUser.get(userId) ?? [];
    list.push({ provider: account.provider, providerAccountId: account.providerAccountId });
    this.#accountsByUser.set(userId, list);
    return true;
  }

  async listAccounts(userId: string): Promise<LinkedAccount[]> {
    return (this.#accountsByUser.get(userId) ?? []).map((a) => ({ ...a }));
  }

  async unlinkProvider(userId: string, provider: string): Promise<LinkedAccount[]> {
    const list = this.#accountsByUser.get(userId) ?? [];
    const removed = list.filter((a) => a.provider === provider);
    for (const account of removed) this.#accounts.delete(accountKey(account));
    this.#accountsByUser.set(
      userId,
      list.filter((a) => a.provider !== provider),
    );
    return removed.map((a) => ({ ...a }));
  }

  async deleteUser(userId: string): Promise<void> {
    for (const account of this.#accountsByUser.get(userId) ?? []) this.#accounts.delete(accountKey(account));
    this.#accountsByUser.delete(userId);
    for (const [email, id] of this.#emails) if (id === userId) this.#emails.delete(email);
    this.#users.delete(userId);
  }
}

function clone(user: OAuthUser | undefined): OAuthUser | null {
  return user ? { ...user } : null;
}
