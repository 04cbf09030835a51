import { randomUUID } from 'node:crypto';
import type { Profile } from '../providers/types.js';
import type { OAuthUser } from './types.js';

/** Builds the user record a repository stores for a first sign-in. */
export function newUserFromProfile(profile: Profile): OAuthUser {
  return {
    id: randomUUID(),
    name: profile.name,
    email: profile.email,
    emailVerified: profile.emailVerified,
    avatarUrl: profile.avatarUrl,
    createdAt: new Date().toISOString(),
  };
}

/** Canonical form of an email for the verified-email index. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
