/**
 * telemetry/: the only importer of `@opentelemetry/api`. Spans for the OAuth operations (login, callback, code
 * exchange, UserInfo, refresh with its lock wait, provider API calls, revocation) and counters for sign-ins,
 * failures, refreshes and needs-reauth, through the API alone: with no SDK registered every call is the API's
 * no-op, and the protected-route path has none at all. Attributes carry provider names, outcome codes and
 * counts, never a token, code, state, cookie or secret.
 */
import {
  type Counter,
  type MeterProvider,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { OAuthRouterError } from '../errors.js';
import type { RouterEvents } from '../events.js';

const SCOPE = 'express-oauth-router';

/** The spans this library starts. */
export type SpanName =
  | 'oauth.login'
  | 'oauth.callback'
  | 'oauth.code_exchange'
  | 'oauth.userinfo'
  | 'oauth.refresh'
  | 'oauth.provider_fetch'
  | 'oauth.revocation';

/** What a span's body may record on it: low-cardinality, non-secret attributes. */
export interface SpanAttributes {
  set(key: string, value: string | number | boolean): void;
}

/**
 * Runs `body` in a span (a child of the active one), recording `oauth.outcome` (`ok`, or the error's stable code)
 * and an error status when it throws. Error messages are not recorded: they may quote provider answers.
 *
 * @param name - The span name.
 * @param attributes - Attributes known up front (`oauth.provider`).
 * @param body - The operation.
 * @param kind - `client` for a request to the provider, `internal` otherwise.
 * @returns What `body` returned.
 * @example
 * await inSpan('oauth.revocation', { 'oauth.provider': 'google' }, () => revoke(), 'client');
 */
export function inSpan<T>(
  name: SpanName,
  attributes: Record<string, string | number | boolean>,
  body: (span: SpanAttributes) => Promise<T>,
  kind: 'client' | 'internal' = 'internal',
): Promise<T> {
  return trace
    .getTracer(SCOPE)
    .startActiveSpan(
      name,
      { kind: kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes },
      async (span) => {
        try {
          const result = await body({ set: (key, value) => span.setAttribute(key, value) });
          span.setAttribute('oauth.outcome', 'ok');
          return result;
        } catch (err) {
          const code = err instanceof OAuthRouterError ? err.code : 'internal_error';
          span.setAttribute('oauth.outcome', code);
          span.setStatus({ code: SpanStatusCode.ERROR, message: code });
          throw err;
        } finally {
          span.end();
        }
      },
    );
}

/** The counters this library keeps. */
type CounterName = 'oauth.sign_ins' | 'oauth.sign_in_failures' | 'oauth.refreshes' | 'oauth.needs_reauth';

const DESCRIPTIONS: Record<CounterName, string> = {
  'oauth.sign_ins': 'Completed sign-ins, by provider and kind (new, returning, linked)',
  'oauth.sign_in_failures': 'Failed sign-ins, by provider and error code',
  'oauth.refreshes': 'Token refreshes, by provider and outcome (ok, transient, needs_reauth)',
  'oauth.needs_reauth': 'Connections marked as needing the user to connect again, by provider',
};

// The global MeterProvider has no proxy (unlike traces): instruments made before the app registers its SDK would
// stay no-ops, so they are made on first use and made again when the registered provider changes.
let meterProvider: MeterProvider | undefined;
const counters = new Map<CounterName, Counter>();

function count(name: CounterName, attributes: Record<string, string>): void {
  const current = metrics.getMeterProvider();
  if (current !== meterProvider) {
    meterProvider = current;
    counters.clear();
  }
  let counter = counters.get(name);
  if (!counter) {
    counter = current.getMeter(SCOPE).createCounter(name, { description: DESCRIPTIONS[name] });
    counters.set(name, counter);
  }
  counter.add(1, attributes);
}

/**
 * Counts the router's events as OpenTelemetry metrics.
 * @param events - The router's events.
 * @example
 * countEvents(context.events);
 */
export function countEvents(events: RouterEvents): void {
  events.on('signIn', ({ provider, kind }) =>
    count('oauth.sign_ins', { 'oauth.provider': provider, 'oauth.sign_in.kind': kind }),
  );
  events.on('signInFailed', ({ provider, code }) =>
    count('oauth.sign_in_failures', { 'oauth.provider': provider ?? 'unknown', 'oauth.error': code }),
  );
  events.on('refresh', ({ provider }) =>
    count('oauth.refreshes', { 'oauth.provider': provider, 'oauth.outcome': 'ok' }),
  );
  events.on('refreshFailed', ({ provider, reason }) =>
    count('oauth.refreshes', { 'oauth.provider': provider, 'oauth.outcome': reason }),
  );
  events.on('connectionNeedsReauth', ({ provider }) =>
    count('oauth.needs_reauth', { 'oauth.provider': provider }),
  );
}
