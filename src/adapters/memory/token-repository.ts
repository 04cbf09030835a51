import { assertNextVersion, type ConnectionRecord, type TokenRepository } from '../../tokens/types.js';

/**
 * In-process {@link TokenRepository} for development and tests; lost on restart, not shared between processes.
 */
export class MemoryTokenRepository implements TokenRepository {
  readonly #records = new Map<string, Map<string, ConnectionRecord>>();

  async get(userId: string, provider: string): Promise<ConnectionRecord | null> {
    const record = this.#records.get(userId)?.get(provider);
    return record ? structuredClone(record) : null;
  }

  async put(record: ConnectionRecord, expectedVersion: number | null): Promise<boolean> {
    assertNextVersion(record, expectedVersion);
    // Synchronous from here on: the compare and the set cannot interleave with another put.
    const byProvider = this.#records.get(record.userId) ?? new Map<string, ConnectionRecord>();
    const current = byProvider.get(record.provider);
    if ((current?.version ?? null) !== expectedVersion) return false;
    byProvider.set(record.provider, structuredClone(record));
    this.#records.set(record.userId, byProvider);
    return true;
  }

  async delete(userId: string, provider: string): Promise<void> {
    this.#records.get(userId)?.delete(provider);
  }

  async listByUser(userId: string): Promise<ConnectionRecord[]> {
    return [...(this.#records.get(userId)?.values() ?? [])].map((r) => structuredClone(r));
  }
}
