import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DevProvider, startDevProvider } from '../../dev-provider/index.js';
import { diagnose } from '../../src/cli/doctor.js';
import type { OAuthRouterOptions } from '../../src/index.js';
import { useRedis } from '../helpers/lifecycle.js';
import { TEST_SECRET } from '../helpers/stack.js';

const redis = useRedis();
let op: DevProvider;
beforeAll(async () => {
  op = await startDevProvider({
    clients: [
      {
        client_id: 'doctor-app',
        client_secret: 'doctor-secret-0123456789',
        redirect_uris: ['http://localhost:3000/auth/acme/callback'],
        grant_types: ['authorization_code', 'client_credentials'],
      },
    ],
  });
});
afterAll(async () => {
  await op.close();
});

const options = (secret = 'doctor-secret-0123456789'): OAuthRouterOptions => ({
  baseUrl: 'http://localhost:3000',
  redis: redis().url,
  session: { secret: TEST_SECRET },
  providers: { acme: { issuer: op.issuer, clientId: 'doctor-app', clientSecret: secret } },
});

describe('doctor', () => {
  it('prints the redirect URI to register, and checks discovery, credentials and Redis', async () => {
    const findings = await diagnose(options(), {});
    expect(findings).toEqual(
      expect.arrayContaining([
        {
          level: 'ok',
          subject: 'acme',
          message: 'register this redirect URI with the provider: http://localhost:3000/auth/acme/callback',
        },
        { level: 'ok', subject: 'acme', message: `discovery ok: issuer ${op.issuer}` },
        { level: 'ok', subject: 'acme', message: 'client id and secret accepted' },
        { level: 'ok', subject: 'redis', message: expect.stringMatching(/^reachable \(Redis 7\./) },
      ]),
    );
    expect(findings.filter((f) => f.level === 'fail')).toEqual([]);
  });

  it('reports settings that cannot give a working sign-in in a browser', async () => {
    const findings = await diagnose(
      {
        ...options(),
        session: { secret: TEST_SECRET, sameSite: 'strict' },
        successRedirect: 'https://elsewhere.example/',
        providers: {
          acme: {
            issuer: op.issuer,
            clientId: 'doctor-app',
            clientSecret: 'doctor-secret-0123456789',
            responseMode: 'form_post',
          },
        },
      },
      {},
    );
    expect(findings).toEqual(
      expect.arrayContaining([
        {
          level: 'fail',
          subject: 'acme',
          message: expect.stringMatching(/^responseMode form_post needs an https baseUrl/),
        },
        { level: 'warn', subject: 'session', message: expect.stringMatching(/^sameSite is strict/) },
        {
          level: 'warn',
          subject: 'successRedirect',
          message: expect.stringMatching(/another origin than baseUrl/),
        },
      ]),
    );
    const https = await diagnose({ ...options(), baseUrl: 'https://app.example.com', redis: undefined }, {});
    expect(https).toContainEqual({
      level: 'ok',
      subject: 'baseUrl',
      message: expect.stringMatching(/cookies are Secure, so open the app at this https URL/),
    });
  });

  it('reports a wrong client secret as invalid_client', async () => {
    const findings = await diagnose(options('wrong-secret'), {});
    expect(findings).toContainEqual({
      level: 'fail',
      subject: 'acme',
      message: expect.stringMatching(/invalid_client/),
    });
  });

  it('reports configuration problems and unreachable providers and Redis', async () => {
    expect(await diagnose({ ...options(), session: { secret: '' } }, {})).toEqual([
      { level: 'fail', subject: 'config', message: expect.stringMatching(/^session\.secret is required/) },
    ]);
    const findings = await diagnose(
      {
        ...options(),
        redis: 'redis://127.0.0.1:1',
        providers: { acme: { issuer: 'http://127.0.0.1:1', clientId: 'x', clientSecret: 'y' } },
      },
      {},
    );
    expect(findings).toContainEqual({
      level: 'fail',
      subject: 'acme',
      message: expect.stringMatching(/^cannot read the provider's metadata/),
    });
    expect(findings).toContainEqual({
      level: 'fail',
      subject: 'redis',
      message: expect.stringMatching(/^cannot reach 127\.0\.0\.1:1/),
    });
  });

  it('runs as a command on the app config module and exits 1 on a failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doctor-'));
    const write = (name: string, secret: string) => {
      const path = join(dir, name);
      writeFileSync(path, `export default () => (${JSON.stringify(options(secret))});\n`);
      return path;
    };
    // Asynchronous: the provider the command talks to runs in this very process.
    const run = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'doctor', ...args], {
          env: { ...process.env, NODE_OPTIONS: '' },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
        });
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
        });
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const good = await run('--config', write('good.mjs', 'doctor-secret-0123456789'));
    expect(good.status).toBe(0);
    expect(good.stdout).toContain(
      '✓ acme: register this redirect URI with the provider: http://localhost:3000/auth/acme/callback',
    );
    const bad = await run('--config', write('bad.mjs', 'nope'));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/✗ acme: the provider rejected the client id\/secret/);
    // CommonJS config files: module.exports, and TypeScript's CommonJS output (exports.default).
    const cjs = join(dir, 'cjs.cjs');
    writeFileSync(cjs, `module.exports = ${JSON.stringify(options())};\n`);
    expect((await run('--config', cjs)).status).toBe(0);
    const tsCjs = join(dir, 'ts-cjs.cjs');
    writeFileSync(
      tsCjs,
      `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = () => (${JSON.stringify(options())});\n`,
    );
    const nested = await run('--config', tsCjs);
    expect(nested.stderr).toBe('');
    expect(nested.status).toBe(0);
    const usage = await run();
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: express-oauth-router doctor --config');
  }, 30_000);
});
