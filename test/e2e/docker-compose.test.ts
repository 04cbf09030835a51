import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../src/config/resolve.js';

// `docker compose up` cannot run here (no Docker engine, no registry for images): these check what can be checked
// of it without one. What compose would substitute with no variables set must be a configuration that starts.
const compose = readFileSync('docker-compose.yml', 'utf8');

/** The lines of one top-level service block. */
function service(name: string): string {
  const start = compose.indexOf(`\n  ${name}:\n`);
  const next = compose.slice(start + 1).search(/\n {2}[a-z]+:\n/);
  return compose.slice(start, next < 0 ? undefined : start + 1 + next);
}

/** `${NAME:-default}` as compose substitutes it with the variable unset. */
const withDefaults = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

describe('docker-compose.yml', () => {
  it('needs no variable: every substitution has a default', () => {
    expect(compose).not.toMatch(/\$\{[A-Z_]+(:?\?)[^}]*\}/);
    expect(compose).not.toMatch(/\$\{[A-Z_]+\}/);
  });

  it('does not publish Redis or PostgreSQL on the host', () => {
    expect(service('redis')).not.toMatch(/ports:/);
    expect(service('postgres')).not.toMatch(/ports:/);
    expect(service('example')).toMatch(/ports: \["3000:3000", "4000:4000"\]/);
  });

  it('keeps .env out of the image', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', '.env.*']));
  });

  it('gives the app development defaults that its configuration accepts', () => {
    const env = (name: string) => {
      const line = service('example').match(new RegExp(`\\n\\s+${name}: ([^\\n]+)`))?.[1] ?? '';
      return withDefaults(line.trim());
    };
    expect(() =>
      resolveConfig(
        {
          baseUrl: env('BASE_URL'),
          redis: env('REDIS_URL'),
          session: { secret: env('SESSION_SECRET') },
          tokenEncryption: { keys: { k1: env('TOKEN_KEY') }, current: 'k1' },
          providers: {
            dev: { issuer: env('DEV_PROVIDER_ISSUER'), clientId: 'example-app', clientSecret: 'x' },
          },
          logger: { warn: () => {}, error: () => {} },
        },
        {},
      ),
    ).not.toThrow();
  });
});
