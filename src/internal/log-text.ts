/**
 * internal/: small leaf helpers shared by several folders, importing nothing of the library but each other.
 */
/**
 * Text that goes to a log. Anything a request controls (a parameter's name, a provider's `error` value) could
 * otherwise carry newlines that forge log lines, or terminal escapes that rewrite what an operator sees.
 */

// C0 and C1 controls (ESC, CSI, CR, LF, …), DEL, and the Unicode line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Escapes control characters as `\uXXXX`, leaving the rest of the text as it is. */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A request-controlled value, quoted for a log message: control characters and quotes escaped, cut to
 * `maxLength` characters so one request cannot flood the log.
 */
export function quoteForLog(value: unknown, maxLength = 64): string {
  const text = String(value);
  const cut = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
  return `"${escapeControlCharacters(cut.replace(/["\\]/g, (c) => `\\${c}`))}"`;
}

/** The same escaping for every string value of a details object (one level deep, where we put strings). */
export function escapeLogDetails(details: Record<string, unknown>): Record<string, unknown> {
  const safe: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details))
    safe[escapeControlCharacters(key)] = typeof value === 'string' ? escapeControlCharacters(value) : value;
  return safe;
}
