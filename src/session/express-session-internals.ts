/**
 * Every part of express-session this library relies on beyond its published types, in one place. Our session
 * layer (cookie-session.ts) keeps express-session's `req.session` API by letting express-session's own
 * `Session` and `Cookie` classes do the work, which means leaning on how they call the store. express-session
 * is pinned to the minor these were checked against (package.json), and
 * test/session/express-session-internals.test.ts fails if any of them changes:
 *
 * 1. `Store.prototype.createSession(req, data)` builds a `Session` (with a `Cookie` from `data.cookie`) and
 *    assigns it to `req.session`; the session's `id` is `req.sessionID` at that moment.
 * 2. `Session.prototype.save(cb)` calls `req.sessionStore.set(id, session, cb)`.
 * 3. `Session.prototype.destroy(cb)` deletes `req.session` and calls `req.sessionStore.destroy(id, cb)`.
 * 4. `Session.prototype.regenerate(cb)` calls `req.sessionStore.regenerate(req, cb)`, and the base
 *    `Store.prototype.regenerate` destroys the old id and then calls `store.generate(req)`, a method the
 *    session middleware in charge is expected to put on the store. We give it on a view of the store instead
 *    (see {@link storeView}) and never write onto the store the app passed in.
 * 5. `Session.prototype.reload(cb)` calls `req.sessionStore.get(id, …)` and then `createSession`.
 * 6. A stored session is the JSON of the `Session` with its `cookie` (`originalMaxAge`, `expires` as an ISO
 *    string, `httpOnly`, `secure`, `sameSite`, `path`), and the cookie value is `s:` + the id signed with
 *    cookie-signature, which session-cookie.ts reads and writes.
 */
import type { Store } from 'express-session';

/**
 * A view of the app's store for `req.sessionStore`: the store's own methods, bound to it (a store may keep
 * private fields, which a method called on another object could not read), plus `generate` and a
 * `regenerate` that calls it (internal 4), so the store the app passed in is left untouched: another
 * session middleware sharing it keeps its own `generate`.
 *
 * @param store - The express-session store in use.
 * @param generate - Starts a fresh session for a request (what express-session's middleware would provide).
 * @returns The view to assign to `req.sessionStore`.
 */
export function storeView(store: Store, generate: (req: Express.Request) => void): Express.SessionStore {
  const view = Object.create(store) as Express.SessionStore & Record<string, unknown>;
  for (const name of ['get', 'set', 'destroy', 'touch', 'createSession', 'load', 'all', 'clear', 'length']) {
    const method: unknown = (store as unknown as Record<string, unknown>)[name];
    if (typeof method === 'function') view[name] = method.bind(store);
  }
  view.generate = generate;
  view.regenerate = (req: Express.Request, callback: (err?: unknown) => void) => {
    store.destroy(req.sessionID, (err?: unknown) => {
      generate(req);
      callback(err);
    });
  };
  return view;
}
