/** How the client authenticates at the token endpoint: the openid-client `ClientAuth` for a provider. */
import { webcrypto } from 'node:crypto';
import * as client from 'openid-client';
import type { ResolvedProvider, TokenEndpointAuthMethod } from '../config/types.js';

/** Lifetime of a computed client secret (Apple's JWT is signed for an hour; renew before it runs out). */
const COMPUTED_SECRET_TTL_MS = 50 * 60 * 1000;

/**
 * The client authentication a discovery document leaves: HTTP Basic, the RFC 6749 default, unless the provider
 * lists supported methods without it and with `client_secret_post` (some self-hosted providers do).
 *
 * @param supported - The discovery document's `token_endpoint_auth_methods_supported`, if any.
 * @returns The method to use.
 * @example
 * discoveredAuthMethod(['client_secret_post']); // 'client_secret_post'
 * @see OpenID Connect Discovery 1.0 §3, RFC 6749 §2.3.1
 */
export function discoveredAuthMethod(supported: readonly string[] | undefined): TokenEndpointAuthMethod {
  if (!supported?.length || supported.includes('client_secret_basic')) return 'client_secret_basic';
  return supported.includes('client_secret_post') ? 'client_secret_post' : 'client_secret_basic';
}

/**
 * The openid-client client authentication for a provider: a secret computed per token request when its preset
 * computes one (Apple's JWT, cached for most of its lifetime), otherwise the given method.
 *
 * @param provider - The resolved provider.
 * @param method - The token endpoint authentication method in effect.
 * @returns The `ClientAuth` to build the openid-client configuration with.
 * @example
 * new client.Configuration(metadata, provider.clientId, undefined, clientAuthentication(provider, method));
 * @see RFC 6749 §2.3.1
 */
export function clientAuthentication(
  provider: ResolvedProvider,
  method: TokenEndpointAuthMethod,
): client.ClientAuth {
  const factory = provider.clientSecretFactory;
  if (factory) {
    let cached: { secret: Promise<string>; until: number } | undefined;
    // oauth4webapi awaits client authentication, so the secret can be computed (and cached) at request time.
    return (async (_as: unknown, _client: unknown, body: URLSearchParams) => {
      if (!cached || cached.until < Date.now()) {
        cached = { secret: factory(), until: Date.now() + COMPUTED_SECRET_TTL_MS };
      }
      body.set('client_id', provider.clientId);
      body.set('client_secret', await cached.secret);
    }) as client.ClientAuth;
  }
  switch (method) {
    case 'none':
      return client.None();
    case 'private_key_jwt':
      return privateKeyJwt(provider);
    case 'client_secret_post':
      return client.ClientSecretPost(provider.clientSecret);
    default:
      return client.ClientSecretBasic(provider.clientSecret);
  }
}

/** WebCrypto import parameters of each JWS algorithm `readClientAssertionKey` picks. */
function importParams(
  alg: string,
): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm {
  if (alg === 'EdDSA') return { name: 'Ed25519' };
  if (alg.startsWith('ES')) return { name: 'ECDSA', namedCurve: `P-${alg === 'ES512' ? 521 : alg.slice(2)}` };
  const hash = `SHA-${alg.slice(2)}`;
  return { name: alg.startsWith('PS') ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5', hash };
}

/**
 * `private_key_jwt` (RFC 7523 §2.2): openid-client signs a fresh client assertion per request with the key,
 * imported into WebCrypto (non-extractable) on first use.
 */
function privateKeyJwt(provider: ResolvedProvider): client.ClientAuth {
  const assertion = provider.clientAssertionKey;
  if (!assertion) throw new TypeError('private_key_jwt without clientAssertionKey');
  let auth: Promise<client.ClientAuth> | undefined;
  return (async (...args: Parameters<client.ClientAuth>) => {
    auth ??= webcrypto.subtle
      .importKey(
        'pkcs8',
        assertion.key.export({ type: 'pkcs8', format: 'der' }),
        importParams(assertion.alg),
        false,
        ['sign'],
      )
      .then((key) => client.PrivateKeyJwt({ key, kid: assertion.kid }));
    return (await auth)(...args);
  }) as client.ClientAuth;
}
