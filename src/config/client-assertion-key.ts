import { createPrivateKey, type KeyObject } from 'node:crypto';

/** A private key for `private_key_jwt` client authentication, checked at startup. */
export interface ClientAssertionKey {
  /** The private key (never logged: a KeyObject does not print its material). */
  key: KeyObject;
  /** The JWS algorithm the assertions are signed with. */
  alg: string;
  /** The key id sent in the assertion's header (the JWK's `kid`), if any. */
  kid: string | undefined;
}

const RSA_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const EC_ALGS: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/**
 * Reads `clientAssertionKey` (a PKCS#8 PEM or a private JWK) and picks its algorithm: the JWK's `alg` when it
 * names one that fits the key, else RS256 for RSA, ES256/384/512 by curve, EdDSA for Ed25519.
 *
 * @param input - What the app configured.
 * @param at - The option path, for messages.
 * @param problems - Where problems are collected (never with key material).
 * @returns The key, or undefined when it is unusable.
 */
export function readClientAssertionKey(
  input: unknown,
  at: string,
  problems: string[],
): ClientAssertionKey | undefined {
  let key: KeyObject;
  const jwk = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : undefined;
  try {
    if (typeof input === 'string') key = createPrivateKey(input);
    else if (jwk) key = createPrivateKey({ key: jwk as never, format: 'jwk' });
    else throw new TypeError('missing');
  } catch {
    problems.push(
      `${at}.clientAssertionKey must be a private key for private_key_jwt: a PKCS#8 PEM string or a private JWK (with "d")`,
    );
    return undefined;
  }
  const wanted = typeof jwk?.alg === 'string' ? jwk.alg : undefined;
  const kid = typeof jwk?.kid === 'string' ? jwk.kid : undefined;
  const type = key.asymmetricKeyType;
  let alg: string | undefined;
  if (type === 'rsa') alg = wanted && RSA_ALGS.includes(wanted) ? wanted : 'RS256';
  else if (type === 'ec') alg = EC_ALGS[String(key.asymmetricKeyDetails?.namedCurve)];
  else if (type === 'ed25519') alg = 'EdDSA';
  if (!alg) {
    problems.push(
      `${at}.clientAssertionKey must be an RSA, P-256/384/521 or Ed25519 key (got ${type ?? 'unknown'})`,
    );
    return undefined;
  }
  if (wanted !== undefined && wanted !== alg) {
    problems.push(`${at}.clientAssertionKey: its JWK "alg" ${wanted} does not fit a ${type} key`);
    return undefined;
  }
  return { key, alg, kid };
}
