import '../../dev-provider/url-parse-polyfill.js';

// oidc-provider warns about Node 20 and its in-memory adapter on every start; both are expected in tests.
const warn = console.warn;
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider WARNING')) return;
  warn(...args);
};
