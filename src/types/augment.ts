/**
 * Types this library adds to Express and express-session, declared once here and never cast elsewhere.
 */
import type { OAuthRequest } from '../middleware/oauth-request.js';
import type { OAuthUser } from '../users/types.js';

/** What the session holds for a signed-in user. */
export interface OAuthSessionData {
  user: OAuthUser;
  /** The provider used to sign in. */
  provider: string;
  /** Milliseconds since the epoch. */
  signedInAt: number;
  /** Scopes each provider granted this user, by provider (for `requireAuth({ scopes })`). */
  scopes: Record<string, string[]>;
}

declare global {
  namespace Express {
    /** The signed-in user; same declaration shape as passport's, so both type packages can coexist. */
    interface User extends OAuthUser {}
    interface Request {
      /** Set by `oauthRouter()` when the request carries a signed-in session. */
      user?: User;
      /** Acts for the signed-in user at their providers; set by `oauthRouter()` on every request. */
      oauth: OAuthRequest;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    /** Set on sign-in by the callback route; removed by logout. */
    oauth?: OAuthSessionData;
  }
}
