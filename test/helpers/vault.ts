import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import type { Keyring } from '../../src/config/keyring.js';
import { open } from '../../src/tokens/sealing.js';
import type { ConnectionRecord, TokenRepository, TokenSet } from '../../src/tokens/types.js';

/** A fresh base64 AES-256 key. */
export const newKey = () => randomBytes(32).toString('base64');

/** Routes an app would write on top of req.oauth; used by the vault tests. */
export function vaultRoutes(userinfoUrl: () => string) {
  return (app: Express) => {
    app.get('/api/profile', async (req, res, next) => {
      try {
        const response = await req.oauth.fetch(String(req.query.provider ?? 'acme'), userinfoUrl());
        res
          .status(response.status === 200 ? 200 : 599)
          .json({ status: response.status, body: await response.json() });
      } catch (err) {
        next(err);
      }
    });
    app.get('/api/connections', async (req, res, next) => {
      try {
        res.json(await req.oauth.connections());
      } catch (err) {
        next(err);
      }
    });
    app.get('/api/token', async (req, res, next) => {
      try {
        res.json({ token: await req.oauth.token('acme') });
      } catch (err) {
        next(err);
      }
    });
    app.post('/api/disconnect', async (req, res, next) => {
      try {
        res.json(await req.oauth.disconnect('acme', { revoke: true }));
      } catch (err) {
        next(err);
      }
    });
    app.get('/api/fetch-url', async (req, res, next) => {
      try {
        const response = await req.oauth.fetch('acme', String(req.query.url));
        res.json({ status: response.status });
      } catch (err) {
        next(err);
      }
    });
  };
}

/** Makes time pass for a connection: rewrites its expiry into the past, as a new version. */
export async function expireConnection(
  repo: TokenRepository,
  userId: string,
  provider = 'acme',
): Promise<void> {
  const record = (await repo.get(userId, provider)) as ConnectionRecord;
  const ok = await repo.put(
    { ...record, version: record.version + 1, expiresAt: Date.now() - 1_000 },
    record.version,
  );
  if (!ok) throw new Error('expireConnection lost a race');
}

/** Decrypts a stored connection, as only a holder of the key can. */
export function unseal(keyring: Keyring, record: ConnectionRecord): TokenSet {
  return JSON.parse(
    open(keyring, record.sealed, `oar-token-v1\u0000${record.userId}\u0000${record.provider}`),
  ) as TokenSet;
}

/** Revokes a token at the provider (RFC 7009), as the user removing the app's access there would. */
export async function revokeAtProvider(issuer: string, clientSecret: string, token: string, hint: string) {
  const res = await fetch(`${issuer}/token/revocation`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`acme-app:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token, token_type_hint: hint }),
  });
  if (res.status !== 200) throw new Error(`the provider answered ${res.status} to the revocation`);
}
