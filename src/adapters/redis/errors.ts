import { OAuthRouterError, storeUnavailable } from '../../errors.js';

/** Runs a Redis command and turns any transport failure into `store_unavailable`, so callers fail closed. */
export async function guard<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (err) {
    throw refusedByRedis(err) ?? storeUnavailable(err);
  }
}

/**
 * Maps what ioredis throws when the server cannot be reached to `store_unavailable`, and leaves any other error
 * as it is. For the stores we do not write ourselves (connect-redis, rate-limit-redis), whose other errors are
 * bugs, not outages, and must stay `internal_error`.
 */
export function asStoreError(err: unknown): unknown {
  return refusedByRedis(err) ?? (isRedisConnectionError(err) ? storeUnavailable(err) : err);
}

/**
 * A command Redis refused for who we are (an ACL user without the permission, a wrong password, no
 * authentication): a configuration error to fix, not an outage to wait out, so `invalid_config` with Redis's own
 * words (they name the command, never the password) and the fix.
 */
function refusedByRedis(err: unknown): OAuthRouterError | undefined {
  if (!(err instanceof Error)) return undefined;
  // A command a Lua script calls is refused with a plain ERR naming the script, not with NOPERM.
  const permission =
    /^NOPERM\b/.test(err.message) ||
    /^ERR The user executing the script can't run this command/.test(err.message);
  if (!permission && !/^(WRONGPASS|NOAUTH)\b/.test(err.message)) return undefined;
  const fix = permission
    ? 'grant the Redis user the ACL rule in docs/operations.md (keys ~<keyPrefix>*, and the commands listed there)'
    : 'check the user name and password in the redis URL (or your client), e.g. rediss://<user>:<password>@host:port';
  return new OAuthRouterError(
    'invalid_config',
    `Redis refused a command: ${err.message.slice(0, 200)}; ${fix}`,
    {
      cause: err,
    },
  );
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
