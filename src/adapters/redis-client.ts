/**
 * The part of an ioredis client this library uses: an ioredis `Redis` or `Cluster`, from ioredis 5 or 6, is one.
 * Declared here rather than imported so that the public types do not pin one ioredis version; the client stays
 * yours to open and close.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const redis: RedisClient = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
 * ```
 */
export interface RedisClient {
  /** True for an ioredis `Cluster`: multi-key scripts are then avoided. */
  readonly isCluster: boolean;
  get(key: string): Promise<string | null>;
  getdel(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<'OK'>;
  set(key: string, value: string, nx: 'NX'): Promise<'OK' | null>;
  set(key: string, value: string, ex: 'EX', seconds: number): Promise<'OK'>;
  set(key: string, value: string, ex: 'EX', seconds: number, nx: 'NX'): Promise<'OK' | null>;
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>;
  del(key: string): Promise<number>;
  hget(key: string, field: string): Promise<string | null>;
  smembers(key: string): Promise<string[]>;
  srem(key: string, member: string): Promise<number>;
  rpush(key: string, element: string): Promise<number>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  eval(script: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
  /** Any command by name (rate-limit-redis sends its own). */
  call(command: string, ...args: string[]): Promise<unknown>;
  on(event: 'error', listener: (err: Error) => void): unknown;
  quit(): Promise<'OK'>;
  disconnect(): void;
}
