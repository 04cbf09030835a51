// oidc-provider 9 calls URL.parse, which Node 20 lacks (it arrived in Node 22). Loaded before oidc-provider.
if (typeof URL.parse !== 'function') {
  URL.parse = (url: string | URL, base?: string | URL) => {
    try {
      return new URL(url, base);
    } catch {
      return null;
    }
  };
}

export {};
