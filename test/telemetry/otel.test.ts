import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, metrics, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type Keyring, parseKeyring } from '../../src/config/keyring.js';
import { RedisTokenRepository } from '../../src/index.js';
import type { ConnectionRecord } from '../../src/tokens/types.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { authorize, CLIENT_SECRET, sendCallback, TEST_SECRET } from '../helpers/stack.js';
import { expireConnection, newKey, unseal, vaultRoutes } from '../helpers/vault.js';

// The SDK's in-memory exporter: what an app's OpenTelemetry setup would receive.
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncHooksContextManager().enable();
class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}
const reader = new TestReader();
const meterProvider = new MeterProvider({ readers: [reader] });
beforeAll(() => {
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(tracerProvider);
});
afterAll(async () => {
  trace.disable();
  metrics.disable();
  context.disable();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});

const KEY = newKey();
const redis = useRedis();
let opIssuer = '';
const stack = useStack(() => ({
  redisUrl: redis().url,
  providers: (issuer) => {
    opIssuer = issuer;
    return {
      acme: { issuer, clientId: 'acme-app', clientSecret: CLIENT_SECRET, mode: 'integration' as const },
    };
  },
  router: { tokenEncryption: { keys: { k1: KEY }, current: 'k1' } },
  routes: vaultRoutes(() => `${opIssuer}/me`),
}));
// Registered after the router exists, as apps that build their router in a module imported before their
// telemetry setup do: counters must still reach it.
beforeAll(() => {
  metrics.setGlobalMeterProvider(meterProvider);
});

const json = { accept: 'application/json' };
const keyring = parseKeyring({ keys: { k1: KEY }, current: 'k1' }, 'k', []) as Keyring;
/** Every secret the tests see; none may appear in any span or metric attribute. */
const secrets = new Set<string>([CLIENT_SECRET, TEST_SECRET, KEY]);

const spans = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);
const last = (name: string) => spans(name).at(-1) as ReadableSpan;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

async function counters(): Promise<Map<string, { attributes: Record<string, unknown>; value: number }[]>> {
  const { resourceMetrics } = await reader.collect();
  const found = new Map<string, { attributes: Record<string, unknown>; value: number }[]>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      found.set(
        metric.descriptor.name,
        metric.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value as number })),
      );
    }
  }
  return found;
}

describe('OpenTelemetry through @opentelemetry/api', () => {
  let userId = '';
  let browser: Browser;

  it('traces a sign-in: login, then the callback with the code exchange and UserInfo inside it', async () => {
    browser = new Browser();
    const response = await authorize(stack(), browser, { email: 'otel@example.test' });
    for (const key of ['code', 'state', 'iss']) {
      const value = response.url.searchParams.get(key);
      if (value && key !== 'iss') secrets.add(value);
    }
    const res = await sendCallback(browser, response, { headers: json });
    expect(res.status).toBe(200);
    userId = ((await res.json()) as { user: { id: string } }).user.id;
    const tokens = unseal(
      keyring,
      (await new RedisTokenRepository(redis().client(), 'oar:').get(userId, 'acme')) as ConnectionRecord,
    );
    for (const t of [tokens.accessToken, tokens.refreshToken, tokens.idToken]) if (t) secrets.add(t);

    expect(last('oauth.login').attributes).toMatchObject({ 'oauth.provider': 'acme', 'oauth.outcome': 'ok' });
    const callback = last('oauth.callback');
    expect(callback.attributes).toMatchObject({
      'oauth.provider': 'acme',
      'oauth.outcome': 'ok',
      'oauth.sign_in.kind': 'new',
    });
    const exchange = last('oauth.code_exchange');
    expect(parentOf(exchange)).toBe(callback.spanContext().spanId);
    expect(exchange.attributes).toMatchObject({ 'oauth.provider': 'acme', 'oauth.outcome': 'ok' });
    const userinfo = last('oauth.userinfo');
    expect(parentOf(userinfo)).toBe(exchange.spanContext().spanId);
  });

  it('traces a provider API call that refreshes first, with the lock wait', async () => {
    await expireConnection(new RedisTokenRepository(redis().client(), 'oar:'), userId);
    expect((await browser.request(stack().url('/api/profile'), { headers: json })).status).toBe(200);
    const fetchSpan = last('oauth.provider_fetch');
    expect(fetchSpan.attributes).toMatchObject({
      'oauth.provider': 'acme',
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'oauth.outcome': 'ok',
    });
    const refresh = last('oauth.refresh');
    expect(parentOf(refresh)).toBe(fetchSpan.spanContext().spanId);
    expect(refresh.attributes).toMatchObject({
      'oauth.provider': 'acme',
      'oauth.grant': 'refresh_token',
      'oauth.refreshed': true,
      'oauth.outcome': 'ok',
    });
    expect(refresh.attributes['oauth.refresh.lock_wait_ms']).toEqual(expect.any(Number));
    const tokens = unseal(
      keyring,
      (await new RedisTokenRepository(redis().client(), 'oar:').get(userId, 'acme')) as ConnectionRecord,
    );
    for (const t of [tokens.accessToken, tokens.refreshToken]) if (t) secrets.add(t);
  });

  it('traces a failed callback with its code and an error status, and revocations', async () => {
    const res = await new Browser().request(stack().url('/auth/acme/callback?code=x&state=forged'), {
      headers: json,
    });
    expect(res.status).toBe(400);
    const failed = last('oauth.callback');
    expect(failed.attributes).toMatchObject({ 'oauth.provider': 'acme', 'oauth.outcome': 'invalid_state' });
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'invalid_state' });

    const disconnected = await browser.request(stack().url('/api/disconnect'), {
      method: 'POST',
      headers: json,
    });
    expect(disconnected.status).toBe(200);
    expect(
      spans('oauth.revocation')
        .map((s) => s.attributes['oauth.token_type_hint'])
        .sort(),
    ).toEqual(['access_token', 'refresh_token']);
  });

  it('counts sign-ins, failures, refreshes and needs-reauth, with a meter provider registered after the router', async () => {
    const found = await counters();
    expect(found.get('oauth.sign_ins')).toEqual([
      { attributes: { 'oauth.provider': 'acme', 'oauth.sign_in.kind': 'new' }, value: 1 },
    ]);
    expect(found.get('oauth.sign_in_failures')).toEqual([
      { attributes: { 'oauth.provider': 'acme', 'oauth.error': 'invalid_state' }, value: 1 },
    ]);
    expect(found.get('oauth.refreshes')).toEqual([
      { attributes: { 'oauth.provider': 'acme', 'oauth.outcome': 'ok' }, value: 1 },
    ]);
  });

  it('puts no token, code, state or secret in any span or metric attribute', async () => {
    const everything = JSON.stringify([
      exporter.getFinishedSpans().map((s) => [s.name, s.attributes, s.status, s.events]),
      [...(await counters()).entries()],
    ]);
    expect(secrets.size).toBeGreaterThan(6);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});
