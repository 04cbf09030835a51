#!/usr/bin/env node
/**
 * `npx express-oauth-router doctor --config <module>`: checks an app's configuration. The module's default export
 * (ESM `export default`, CommonJS `module.exports` or `exports.default`) is the object passed to `oauthRouter()`,
 * or a (possibly async) function returning it. For a TypeScript module,
 * run `node --import tsx node_modules/express-oauth-router/dist/cli/index.js doctor --config ./oauth.config.ts`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OAuthRouterOptions } from '../config/types.js';
import { diagnose, formatFindings } from './doctor.js';

const USAGE = 'usage: express-oauth-router doctor --config <module exporting the oauthRouter() options>';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const at = rest.indexOf('--config');
  const path = at >= 0 ? rest[at + 1] : undefined;
  if (command !== 'doctor' || !path) {
    console.error(USAGE);
    return 2;
  }
  const module = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown };
  // CommonJS arrives as `default` (module.exports); TypeScript's CommonJS output nests it (exports.default).
  let exported = module.default;
  if (isObject(exported) && 'default' in exported && !('providers' in exported)) exported = exported.default;
  const options = (typeof exported === 'function' ? await exported() : exported) as
    | OAuthRouterOptions
    | undefined;
  if (!options || typeof options !== 'object') {
    console.error(`${path} must default-export the oauthRouter() options (or a function returning them)`);
    return 2;
  }
  const findings = await diagnose(options);
  console.log(formatFindings(findings));
  return findings.some((f) => f.level === 'fail') ? 1 : 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

process.exitCode = await main(process.argv.slice(2));
