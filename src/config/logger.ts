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
 * @returns A logger that escapes every message and detail before passing it on.
 * @example
 * ```ts
 * resolveLogger(undefined).warn('express-oauth-router: redis is not set');
 * ```
 */
export function resolveLogger(logger: Logger | undefined): Logger {
  const target = logger ?? consoleLogger;
  return {
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
