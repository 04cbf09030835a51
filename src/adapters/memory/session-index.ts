import type { SessionIndex, SessionIndexEntry } from '../../session/session-index.js';

/** In-process {@link SessionIndex}, for development and single-instance apps; lost on restart. */
export class MemorySessionIndex implements SessionIndex {
  readonly #users = new Map<string, Map<string, SessionIndexEntry>>();

  async add(userId: string, entry: SessionIndexEntry): Promise<void> {
    const entries = this.#users.get(userId) ?? new Map<string, SessionIndexEntry>();
    entries.set(entry.id, { ...entry });
    this.#users.set(userId, entries);
  }

  async list(userId: string): Promise<SessionIndexEntry[]> {
    const entries = this.#users.get(userId);
    if (!entries) return [];
    const now = Date.now();
    for (const [id, entry] of entries) if (entry.expiresAt <= now) entries.delete(id);
    if (entries.size === 0) this.#users.delete(userId);
    return [...entries.values()].map((entry) => ({ ...entry }));
  }

  async remove(userId: string, id: string): Promise<void> {
    const entries = this.#users.get(userId);
    entries?.delete(id);
    if (entries?.size === 0) this.#users.delete(userId);
  }

  async takeAll(userId: string): Promise<SessionIndexEntry[]> {
    const entries = [...(this.#users.get(userId)?.values() ?? [])];
    this.#users.delete(userId);
    return entries;
  }
}
