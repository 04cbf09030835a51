import { describe, expect, it } from '@jest/globals';
import { escapeControlCharacters, quoteForLog } from '../../src/internal/log-text.js';
import { Browser } from '../helpers/browser.js';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { requestApp } from '../helpers/request-app.js';
import { authorize, sendCallback } from '../helpers/stack.js';

// The attack: a request carries a value with a newline (to forge a whole log line an operator trusts) and
// terminal escapes (to hide or rewrite what is on the operator's screen) into a place that gets logged.
const FORGED = `x\n2026-11-30T00:00:00Z INFO admin signed in\r\u001b[2J\u009b31m\u2028${'y'.repeat(200)}`;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const redis = useRedis();
const stack = useStack(() => ({ redisUrl: redis().url }));

function expectNoRawControlCharacters(): void {
  expect(stack().logs.length).toBeGreaterThan(0);
  for (const line of stack().logs) {
    expect(line.message).not.toMatch(RAW_CONTROL);
    for (const value of Object.values((line.details ?? {}) as Record<string, unknown>))
      if (typeof value === 'string') expect(value).not.toMatch(RAW_CONTROL);
  }
}

/** The value is quoted where it was put into the message, and cut, so one request cannot flood the log. */
function expectQuotedAndCut(): void {
  const message = stack().logs.find((l) => l.message.includes('INFO admin signed in'))?.message ?? '';
  expect(message).toContain('"x\\u000a2026-11-30T00:00:00Z INFO admin signed in');
  expect(message).toContain('…"');
  expect(message).not.toContain('y'.repeat(100));
}

describe('log injection', () => {
  it("escapes a repeated callback parameter's name", async () => {
    stack().logs.length = 0;
    const browser = new Browser();
    const response = await authorize(stack(), browser);
    response.url.searchParams.append(FORGED, 'a');
    response.url.searchParams.append(FORGED, 'b');
    expect((await sendCallback(browser, response)).status).toBe(400);
    expectNoRawControlCharacters();
    expectQuotedAndCut();
  });

  it("escapes the provider's error parameter", async () => {
    stack().logs.length = 0;
    const browser = new Browser();
    const response = await authorize(stack(), browser);
    response.url.searchParams.delete('code');
    response.url.searchParams.set('error', FORGED);
    expect((await sendCallback(browser, response)).status).toBe(502);
    expectNoRawControlCharacters();
    expectQuotedAndCut();
  });

  it('escapes request text that reaches a log inside an error cause (a JSON parser quoting the body)', async () => {
    stack().logs.length = 0;
    const res = await requestApp(stack())
      .post('/auth/session')
      .set('content-type', 'application/json')
      // V8 quotes the start of an unparsable body in its message, which reaches the log as the error's cause.
      .send(`[1,\nINFO admin signed in\u001b[2J]`);
    expect(res.status).toBe(400);
    expectNoRawControlCharacters();
    expect(JSON.stringify(stack().logs)).toContain('INFO admin');
  });
});

describe('log text helpers', () => {
  it('escapes C0 and C1 controls, DEL and the Unicode line separators', () => {
    expect(escapeControlCharacters('a\nb\r\u001b[0m\u007f\u009b\u2028\u2029')).toBe(
      'a\\u000ab\\u000d\\u001b[0m\\u007f\\u009b\\u2028\\u2029',
    );
  });

  it('quotes, escapes quotes and cuts long values', () => {
    expect(quoteForLog('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
    expect(quoteForLog('a'.repeat(100), 10)).toBe(`"${'a'.repeat(10)}…"`);
  });
});
