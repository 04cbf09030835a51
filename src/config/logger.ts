import { escapeControlCharacters, escapeLogDetails } from '../internal/log-text.js';
import type { Logger } from './types.js';

const consoleLogger: Logger = {
  warn: (message, details) => (details ? console.warn(message, details) : console.warn(message)),
  error: (message, details) => (details ? console.error(message, details) : console.error(message)),
};

/**
 * The logger the library writes to: the app's, or the console, behind an escaping layer. Whatever part of a log
 * line came from a request, its control characters are escaped, so a crafted parameter cannot forge a log line or
 * drive the operator's terminal, whichever logger the app gave.
 *
 * @param logger - The app's `logger` option, if any.
 * @returns A logger that escapes every message and detail before passing it on; `debug` and `info` go nowhere
 *   unless the app's logger has them.
 * @example
 * ```ts
 * resolveLogger(undefined).warn('express-oauth-router: redis is not set');
 * ```
 */
export function resolveLogger(logger: Logger | undefined): Required<Logger> {
  const target = logger ?? consoleLogger;
  // Success stays quiet unless the app's logger asks for it: the default console has no debug or info here.
  const debug = target.debug?.bind(target);
  const info = target.info?.bind(target);
  return {
    debug: (message, details) =>
      details
        ? debug?.(escapeControlCharacters(message), escapeLogDetails(details))
        : debug?.(escapeControlCharacters(message)),
    info: (message, details) =>
      details
        ? info?.(escapeControlCharacters(message), escapeLogDetails(details))
        : info?.(escapeControlCharacters(message)),
    warn: (message, details) =>
      details
        ? target.warn(escapeControlCharacters(message), escapeLogDetails(details))
        : target.warn(escapeControlCharacters(message)),
    error: (message, details) =>
      details
        ? target.error(escapeControlCharacters(message), escapeLogDetails(details))
        : target.error(escapeControlCharacters(message)),
  };
}
