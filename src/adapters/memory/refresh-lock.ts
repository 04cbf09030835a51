import { randomBytes } from 'node:crypto';
import type { RefreshLock } from '../../tokens/refresh-lock.js';

/** In-process {@link RefreshLock}, for the in-memory (single-process) configuration. */
export class MemoryRefreshLock implements RefreshLock {
  readonly #held = new Map<string, { token: string; expiresAt: number }>();

  async acquire(key: string, ttlMs: number): Promise<string | null> {
    const held = this.#held.get(key);
    if (held && held.expiresAt > Date.now()) return null;
    const token = randomBytes(16).toString('base64url');
    this.#held.set(key, { token, expiresAt: Date.now() + ttlMs });
    return token;
  }

  async release(key: string, token: string): Promise<void> {
    if (this.#held.get(key)?.token === token) this.#held.delete(key);
  }
}
