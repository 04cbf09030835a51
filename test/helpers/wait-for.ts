import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  /** How long to keep trying, in ms. Generous by default: a loaded CI machine is slow, a hang is not. */
  timeoutMs?: number;
  /** Pause between tries, in ms. */
  intervalMs?: number;
}

/**
 * Calls `probe` until `done(value)` holds or `timeoutMs` has passed, and returns the last value either way, so the
 * test's own assertion on it says what went wrong. Use it instead of a fixed sleep or a loop with a small bound: as
 * fast as the condition on an idle machine, and still right on a busy one.
 */
export async function poll<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 15_000, intervalMs = 100 }: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(intervalMs);
  }
}
