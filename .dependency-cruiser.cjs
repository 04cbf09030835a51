// Import rules for src/ (the Layout issue): one door per outside library, config resolved from leaves only,
// domain code free of Express, no cycles, nothing that ships importing what does not ship.
// Run with `npm run lint:imports`; docs/tooling.md says what to do when a rule fails.
// SQL and process.env reads are invisible to an import graph: .ci/check-sql and .ci/check-env-reads cover them.

// A package as dependency-cruiser resolves it: its files under node_modules, its @types package for a type-only
// import, or the bare name when it could not be resolved at all.
const pkg = (...names) => `(^|/)node_modules/(@types/)?(${names.join('|')})/|^(${names.join('|')})$`;

// Contract modules: interfaces the public options accept (a store, a repository). They hold no run-time code,
// so config/ may name their types without depending on any implementation.
const CONTRACTS = '^src/(adapters/kv-store|adapters/redis-client|tokens/types|users/types)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'openid-client-only-in-client',
      severity: 'error',
      comment:
        'Only src/client/ may import openid-client (types included): it is the one door to the protocol library, ' +
        'so an openid-client bump or swap touches one folder and its errors are converted in one place. ' +
        'Move the call into src/client/ and export a plain function over plain inputs.',
      from: { path: '^src/', pathNot: '^src/client/' },
      to: { path: pkg('openid-client') },
    },
    {
      name: 'opentelemetry-only-in-telemetry',
      severity: 'error',
      comment:
        'Only src/telemetry/ may import @opentelemetry/api: spans and counters go through its inSpan() and ' +
        'countEvents(), so names, attributes and the no-secrets rule live in one file.',
      from: { path: '^src/', pathNot: '^src/telemetry/' },
      to: { path: pkg('@opentelemetry/api') },
    },
    {
      name: 'ioredis-only-in-redis-adapter',
      severity: 'error',
      comment:
        'Only src/adapters/redis/ (and the doctor CLI in src/cli/) may import ioredis at run time: adapters are ' +
        'the only code that speaks to a driver, and the rest of the library works with any injected client. ' +
        'Type-only imports are allowed elsewhere; anything that runs goes into src/adapters/redis/.',
      from: { path: '^src/', pathNot: '^src/(adapters/redis|cli)/' },
      to: { path: pkg('ioredis'), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'connect-redis-only-in-redis-adapter',
      severity: 'error',
      comment:
        'Only src/adapters/redis/ may import connect-redis: it is the Redis driver behind express-session, and ' +
        'its majors differ in which client they accept (8.1 is the last one that takes ioredis), so a bump must ' +
        'touch one folder.',
      from: { path: '^src/', pathNot: '^src/adapters/redis/' },
      to: { path: pkg('connect-redis') },
    },
    {
      name: 'rate-limit-redis-only-in-redis-adapter',
      severity: 'error',
      comment:
        'Only src/adapters/redis/ may import rate-limit-redis: it sends Redis commands through the injected ' +
        'client, and adapters are the only code that speaks to a driver. Middleware gets the store injected.',
      from: { path: '^src/', pathNot: '^src/adapters/redis/' },
      to: { path: pkg('rate-limit-redis') },
    },
    {
      name: 'pg-only-in-postgres-adapter',
      severity: 'error',
      comment:
        'Only src/adapters/postgres/ may import pg: adapters are the only code that speaks to a driver (and the ' +
        'PostgreSQL adapters take an injected SqlClient, so even there a pg import is rarely needed).',
      from: { path: '^src/', pathNot: '^src/adapters/postgres/' },
      to: { path: pkg('pg', 'pg-pool') },
    },
    {
      name: 'express-session-runtime-only-in-session',
      severity: 'error',
      comment:
        'Only src/session/ may import express-session at run time: cookie sessions are built in one module, ' +
        'so the session middleware, its options and its MemoryStore fallback change in one place. ' +
        'Other folders get what they need (a store, the middleware) from src/session/.',
      from: { path: '^src/', pathNot: '^src/session/' },
      to: { path: pkg('express-session'), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'express-session-types-only-where-declared',
      severity: 'error',
      comment:
        "express-session's types may be named (import type) only in src/types/ (the SessionData augmentation), " +
        'src/config/ (the public session.store option is an express-session Store) and src/adapters/ (a store ' +
        'that implements the Store interface). Elsewhere, use the types src/session/ exports.',
      from: { path: '^src/', pathNot: '^src/(session|types|config|adapters)/' },
      to: { path: pkg('express-session'), dependencyTypes: ['type-only'] },
    },
    {
      name: 'config-imports-only-leaves',
      severity: 'error',
      comment:
        'src/config/ may import only src/errors.ts, src/providers/, src/internal/ and itself (plus the types of ' +
        'the contract modules, see the next rule): config is resolved once, before anything is built, and must ' +
        'not pull in the client, the flow, sessions or a driver. Move a helper it needs into src/internal/ or ' +
        'next to its preset in src/providers/.',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: ['^src/(config|providers|internal)/', '^src/errors\\.ts$', CONTRACTS] },
    },
    {
      name: 'config-imports-contracts-as-types-only',
      severity: 'error',
      comment:
        'src/config/ may name the store and repository interfaces its options accept (src/adapters/kv-store.ts, ' +
        'src/adapters/redis-client.ts, src/tokens/types.ts, src/users/types.ts) with `import type` only: the options describe them, ' +
        'they never run them.',
      from: { path: '^src/config/' },
      to: { path: CONTRACTS, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'flow-and-tokens-without-express',
      severity: 'error',
      comment:
        'src/flow/ and src/tokens/ hold plain functions over plain inputs: no req/res, so they are unit-testable ' +
        'without an HTTP stack. They import no express, not even its types; the routes translate requests.',
      from: { path: '^src/(flow|tokens)/' },
      to: { path: pkg('express', 'express-serve-static-core') },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'An import cycle makes load order matter (a value can be undefined at import time under ESM) and makes ' +
        'the layout a tangle. Break it by moving the shared piece down: into a leaf module, src/internal/ or ' +
        'a types file.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment:
        'A module that nothing imports and that imports nothing is dead code (or a forgotten export). ' +
        'Delete it or wire it in. Declaration files (.d.ts) are exempt: they are picked up by the compiler.',
      from: { orphan: true, path: '^src/', pathNot: '\\.d\\.ts$' },
      to: {},
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        'src/ ships: it must not import a devDependency, types included (the published .d.ts would then name a ' +
        'package a user does not have). Declare it in dependencies, or in peerDependencies when the app brings ' +
        'it (express, ioredis: a package that is both a peer and a dev dependency is fine).',
      from: { path: '^src/' },
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['npm-peer'],
        pathNot: '(^|/)node_modules/@types/node/',
      },
    },
    {
      name: 'not-to-undeclared-package',
      severity: 'error',
      comment:
        'src/ imports a package that package.json does not declare (it only works because another package ' +
        'happens to install it). Declare it in dependencies or peerDependencies.',
      from: { path: '^src/' },
      // A declared peer loaded with createRequire (ioredis, optional) is reported as npm-no-pkg as well.
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'], dependencyTypesNot: ['npm-peer'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'src/ imports a module that cannot be found on disk: a typo, a moved file, or a missing package.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'src-not-to-outside',
      severity: 'error',
      comment:
        'src/ is what ships: it must not import from test/, bench/, example-app/ or dev-provider/ (those are not ' +
        'in the package and depend on src/, not the other way round). Move the shared code into src/.',
      from: { path: '^src/' },
      to: { path: '^(test|bench|example-app|dev-provider)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: several rules forbid types too (openid-client, express in flow/ and tokens/).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
