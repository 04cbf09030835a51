// Mutation testing of the security-critical files (`npm run mutation`; not part of CI, it takes minutes).
// Each surviving mutant is a change to a defence that no test notices: either a missing attack test, or a
// mutant that changes nothing observable (equivalent), which the closing note of the run should name.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // MUTATE=<comma-separated files, or file:line:col-line:col ranges> runs a subset (reports then go to
  // reports/mutation/<REPORT>.json); TESTS=<comma-separated test files> narrows the tests that may kill them (a
  // faster run, whose score is then a lower bound).
  mutate: process.env.MUTATE
    ? process.env.MUTATE.split(',')
    : [
        'src/flow/return-to.ts',
        'src/flow/app-redirect.ts',
        'src/config/app-callback-url.ts',
        'src/flow/flow-state.ts',
        'src/session/binding-cookie.ts',
        'src/session/app-sessions.ts',
        'src/tokens/sealing.ts',
        'src/config/keyring.ts',
        'src/middleware/same-origin.ts',
        'src/session/session-cookie.ts',
      ],

  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'],
  jest: {
    configFile: 'jest.config.js',
    // The tests that exercise these files; the rest of the suite cannot kill their mutants and only costs time.
    config: {
      testMatch: process.env.TESTS
        ? process.env.TESTS.split(',').map((t) => `<rootDir>/${t}`)
        : [
            '<rootDir>/test/security/**/*.test.ts',
            '<rootDir>/test/flow/app-callbacks.test.ts',
            '<rootDir>/test/flow/redirects-and-rotation.test.ts',
            '<rootDir>/test/tokens/sealing.test.ts',
            '<rootDir>/test/config.test.ts',
            '<rootDir>/test/session/**/*.test.ts',
          ],
    },
    enableFindRelatedTests: false,
  },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 10000,
  // Static mutants (module-level constants: regexes, tables) need every test re-run in a fresh process; here they
  // cost more than half the run. MUTATION_STATIC=1 includes them.
  ignoreStatic: process.env.MUTATION_STATIC !== '1',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: `reports/mutation/${process.env.REPORT ?? 'mutation'}.json` },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
