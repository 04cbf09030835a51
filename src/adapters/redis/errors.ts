import { storeUnavailable } from '../../errors.js';

/** Runs a Redis command and turns any transport failure into `store_unavailable`, so callers fail closed. */
export async function guard<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (err) {
    throw storeUnavailable(err);
  }
}

/**
 * Maps what ioredis throws when the server cannot be reached to `store_unavailable`, and leaves any other error
 * as it is. For the stores we do not write ourselves (connect-redis, rate-limit-redis), whose other errors are
 * bugs, not outages, and must stay `internal_error`.
 */
export function asStoreError(err: unknown): unknown {
  return isRedisConnectionError(err) ? storeUnavailable(err) : err;
}

function isRedisConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // ioredis reports a down server with these names/messages once its offline queue gives up, and a stalled one
  // (connection open, no answer: a hung host, a partition) with "Command timed out" after `commandTimeout`.
  return (
    err.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|ECONNREFUSED|ECONNRESET|Stream isn't writeable|enableOfflineQueue|Command timed out/.test(
      err.message,
    )
  );
}
