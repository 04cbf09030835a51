// oidc-provider 9 calls URL.parse, which Node 20 before 20.18 lacks. Loaded before oidc-provider.
if (typeof URL.parse !== 'function') {
  URL.parse = (url: string | URL, base?: string | URL) => {
    try {
      return new URL(url, base);
    } catch {
      return null;
    }
  };
}

// On Node 20, oidc-provider warns "Unsupported runtime" once, while it loads. The development provider runs on
// Node 20 (the whole test suite does), so that line would only confuse a first `npm run example`.
if (process.release.lts === 'Iron') {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider WARNING: Unsupported runtime')) {
      console.warn = warn;
      return;
    }
    warn(...args);
  };
}

export {};
