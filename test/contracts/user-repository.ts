import { describe, expect, it } from '@jest/globals';
import type { Profile, UserRepository } from '../../src/index.js';

let counter = 0;
/** A profile with a fresh account id (and, unless given, a fresh email). */
export function profile(overrides: Partial<Profile> = {}): Profile {
  counter += 1;
  const id = `${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2)}`;
  return {
    provider: 'acme',
    providerAccountId: `acct-${id}`,
    email: `user-${id}@example.test`,
    emailVerified: true,
    name: 'Test User',
    avatarUrl: null,
    raw: {},
    ...overrides,
  };
}

/**
 * The contract every {@link UserRepository} must meet. Third-party adapters can run it:
 * `describeUserRepositoryContract('my repo', async () => repo)`.
 */
export function describeUserRepositoryContract(name: string, factory: () => Promise<UserRepository>): void {
  describe(`UserRepository contract: ${name}`, () => {
    it('creates a user from a profile and finds it by id and by account', async () => {
      const repo = await factory();
      const p = profile({ name: 'Ada', avatarUrl: 'https://img.example/a.png' });
      const user = await repo.createFromProfile(p);
      expect(user).toMatchObject({
        name: 'Ada',
        email: p.email,
        emailVerified: true,
        avatarUrl: 'https://img.example/a.png',
      });
      expect(Number.isNaN(Date.parse(user.createdAt))).toBe(false);
      expect(await repo.findById(user.id)).toEqual(user);
      expect(await repo.findByAccount(p)).toEqual(user);
      expect(await repo.listAccounts(user.id)).toEqual([
        { provider: 'acme', providerAccountId: p.providerAccountId },
      ]);
    });

    it('unlinks every account of one provider, leaving the user and its other links', async () => {
      const repo = await factory();
      const p = profile();
      const user = await repo.createFromProfile(p);
      const other = { provider: 'other', providerAccountId: `o-${p.providerAccountId}` };
      const second = { provider: 'acme', providerAccountId: `second-${p.providerAccountId}` };
      await repo.linkAccount(user.id, other);
      await repo.linkAccount(user.id, second);
      expect(repo.unlinkProvider).toBeDefined();
      const removed = await repo.unlinkProvider?.(user.id, 'acme');
      expect(removed).toEqual(
        expect.arrayContaining([{ provider: 'acme', providerAccountId: p.providerAccountId }, second]),
      );
      expect(removed).toHaveLength(2);
      expect(await repo.listAccounts(user.id)).toEqual([other]);
      expect(await repo.findByAccount(p)).toBeNull();
      expect(await repo.findByAccount(second)).toBeNull();
      expect(await repo.findByAccount(other)).toEqual(user);
      expect(await repo.findById(user.id)).toEqual(user);
      expect(await repo.unlinkProvider?.(user.id, 'acme')).toEqual([]);
      // The account is free again: it can be linked to someone else.
      const someoneElse = await repo.createFromProfile(profile());
      expect(await repo.linkAccount(someoneElse.id, second)).toBe(true);
    });

    it('deletes a user with its links and verified email, and nothing of anyone else', async () => {
      const repo = await factory();
      const p = profile();
      const user = await repo.createFromProfile(p);
      const other = { provider: 'other', providerAccountId: `o-${p.providerAccountId}` };
      await repo.linkAccount(user.id, other);
      const bystander = await repo.createFromProfile(profile());
      expect(repo.deleteUser).toBeDefined();
      await repo.deleteUser?.(user.id);
      expect(await repo.findById(user.id)).toBeNull();
      expect(await repo.findByAccount(p)).toBeNull();
      expect(await repo.findByAccount(other)).toBeNull();
      expect(await repo.findByVerifiedEmail(p.email as string)).toBeNull();
      expect(await repo.listAccounts(user.id)).toEqual([]);
      expect(await repo.findById(bystander.id)).toEqual(bystander);
      await repo.deleteUser?.(user.id);
      // The same person signing in again is a new user.
      const again = await repo.createFromProfile(p);
      expect(again.id).not.toBe(user.id);
    });

    it('returns null for unknown ids, accounts and emails', async () => {
      const repo = await factory();
      expect(await repo.findById('no-such-user')).toBeNull();
      expect(await repo.findByAccount({ provider: 'acme', providerAccountId: 'nobody' })).toBeNull();
      expect(await repo.findByVerifiedEmail('nobody@example.test')).toBeNull();
      expect(await repo.listAccounts('no-such-user')).toEqual([]);
    });

    it('indexes verified emails case-insensitively and never unverified ones', async () => {
      const repo = await factory();
      const verified = profile();
      const user = await repo.createFromProfile(verified);
      expect((await repo.findByVerifiedEmail((verified.email as string).toUpperCase()))?.id).toBe(user.id);
      const unverified = profile({ emailVerified: false });
      await repo.createFromProfile(unverified);
      expect(await repo.findByVerifiedEmail(unverified.email as string)).toBeNull();
    });

    it('creates one user when the same account signs in concurrently', async () => {
      const repo = await factory();
      const p = profile();
      const users = await Promise.all(Array.from({ length: 10 }, () => repo.createFromProfile(p)));
      expect(new Set(users.map((u) => u.id)).size).toBe(1);
      expect(await repo.listAccounts(users[0]?.id as string)).toHaveLength(1);
    });

    it('links another account to a user, idempotently, and refuses an account owned by someone else', async () => {
      const repo = await factory();
      const a = await repo.createFromProfile(profile());
      const b = await repo.createFromProfile(profile());
      const extra = { provider: 'other', providerAccountId: `x-${Math.random()}` };
      expect(await repo.linkAccount(a.id, extra)).toBe(true);
      expect(await repo.linkAccount(a.id, extra)).toBe(true);
      expect(await repo.linkAccount(b.id, extra)).toBe(false);
      expect((await repo.findByAccount(extra))?.id).toBe(a.id);
      expect(await repo.listAccounts(a.id)).toHaveLength(2);
    });
  });
}
