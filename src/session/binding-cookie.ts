import { randomBytes } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { Request, Response } from 'express';
import type { ResolvedConfig } from '../config/types.js';

const BINDING_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Returns this browser's binding id, setting the binding cookie when it has none. The id is random, so
 * a pending login can only be completed by the browser holding it: an attacker who lures a victim to the
 * callback with the attacker's own state fails, because the victim's cookie does not match.
 */
export function ensureBindingId(req: Request, res: Response, config: ResolvedConfig): string {
  const existing = readBindingId(req, config);
  const id = existing ?? randomBytes(32).toString('base64url');
  // Refreshed on every login, so several tabs share one id and the cookie outlives every pending state.
  res.cookie(config.bindingCookie.name, id, {
    httpOnly: true,
    secure: config.session.secure,
    sameSite: config.bindingCookie.sameSite,
    path: '/',
    maxAge: config.stateTtlSeconds * 1000,
  });
  return id;
}

/** Reads the binding id from the request's cookies, ignoring malformed values. */
export function readBindingId(req: Request, config: ResolvedConfig): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const value = parseCookies(header)[config.bindingCookie.name];
  return value !== undefined && BINDING_ID.test(value) ? value : undefined;
}
