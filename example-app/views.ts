import type { ConnectionInfo, OAuthUser, ProviderLink, UserSession } from '../src/index.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const layout = (body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>express-oauth-router example</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2.5rem auto;padding:0 1rem;color:#222}
.button{display:inline-block;padding:.55rem 1rem;border:1px solid #444;border-radius:.4rem;text-decoration:none;color:#222;margin:.25rem 0;background:#fff;font-size:1rem;cursor:pointer}
.note{color:#666}.error,.banner{padding:.8rem;border-radius:.4rem;margin:1rem 0}.error{background:#fee;border:1px solid #c66}
.banner{background:#fff6db;border:1px solid #d9a400}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #ddd}
pre{background:#f5f5f5;padding:.8rem;overflow:auto;white-space:pre-wrap}form{display:inline}</style>
</head><body><h1><a href="/" style="color:inherit;text-decoration:none">express-oauth-router example</a></h1>${body}</body></html>`;

const ERROR_TEXT: Record<string, string> = {
  access_denied: 'You cancelled the sign-in at the provider. Nothing was changed.',
  invalid_state: 'That sign-in link expired or was already used. Please start again.',
  provider_error: 'The identity provider did not complete the sign-in. Please try again in a moment.',
  email_conflict:
    'An account with this email already exists. Sign in with the provider you used before, then connect this one from your dashboard.',
  account_conflict: 'That provider account is already connected to another user.',
  not_connected: 'Your account is not connected to that provider. Connect it from the dashboard.',
  account_mismatch:
    'You signed in at the provider with a different account than the one connected here. Nothing was changed.',
  store_unavailable: 'The service is briefly unavailable. Please try again shortly.',
  invalid_request: 'That request was not valid.',
  rate_limited: 'Too many attempts. Please wait a few seconds and try again.',
};

/** The sign-in page: one button per configured provider. */
export function signInPage(providers: ProviderLink[], notice?: string): string {
  const buttons = providers
    .map(
      (p) =>
        `<p><a class="button" id="sign-in-${esc(p.name)}" href="${esc(p.loginUrl)}?returnTo=%2F">Sign in with ${esc(p.displayName)}</a></p>`,
    )
    .join('');
  return layout(
    `${notice ? `<p class="note" id="notice">${esc(notice)}</p>` : ''}<p>You are not signed in.</p>${buttons}`,
  );
}

/** What each health word means, as a tooltip. */
const HEALTH: Record<ConnectionInfo['health'], string> = {
  ok: 'Usable, and renewed automatically when it expires',
  needs_reauth: 'The provider refused the refresh token: reconnect',
  no_refresh_token: 'The provider sent no refresh token: it stops working when the token expires',
  refresh_failing: 'The last refresh failed for a transient reason; the next call tries again',
};

/** The dashboard: the user, their connections with their health, a reconnect banner, the API demo and sign-out. */
export function dashboardPage(
  user: OAuthUser,
  connections: ConnectionInfo[],
  devices: UserSession[],
  providers: ProviderLink[],
  options: { dev: boolean; notice?: 'revoked' },
): string {
  const loginOf = (name: string) => providers.find((p) => p.name === name)?.loginUrl ?? '/';
  const nameOf = (name: string) => providers.find((p) => p.name === name)?.displayName ?? name;
  const banners = connections
    .filter((c) => c.status === 'needs_reauth')
    .map(
      (c) =>
        `<div class="banner" id="reconnect-banner">Your connection to ${esc(nameOf(c.provider))} has expired. <a class="button" id="reconnect-${esc(c.provider)}" href="${esc(loginOf(c.provider))}?returnTo=%2F">Reconnect ${esc(nameOf(c.provider))}</a></div>`,
    )
    .join('');
  const when = (date: Date | null) => (date ? esc(date.toISOString()) : '—');
  const rows = connections
    .map(
      (
        c,
      ) => `<tr><td>${esc(nameOf(c.provider))}</td><td class="status" data-provider="${esc(c.provider)}">${esc(c.status)}</td>
<td class="health" data-provider="${esc(c.provider)}" title="${esc(HEALTH[c.health])}">${esc(c.health)}</td>
<td>${esc(c.scopes.join(' '))}</td><td>${when(c.expiresAt)}</td><td>${c.hasRefreshToken === null ? '?' : c.hasRefreshToken ? 'yes' : 'no'}</td>
<td>${when(c.lastRefreshAt)}</td><td>${c.lastError ? `${esc(c.lastError.code)}${c.lastError.providerError ? ` (${esc(c.lastError.providerError)})` : ''} at ${when(c.lastError.at)}` : '—'}</td>
<td><form method="post" action="/connections/${esc(c.provider)}/disconnect"><button class="button" type="submit">Disconnect</button></form></td></tr>`,
    )
    .join('');
  const connect = providers
    .filter((p) => !connections.some((c) => c.provider === p.name))
    .map((p) => `<a class="button" href="${esc(p.loginUrl)}?returnTo=%2F">Connect ${esc(p.displayName)}</a>`)
    .join(' ');
  const notice =
    options.notice === 'revoked'
      ? '<p class="banner" id="revoked-notice">The development provider has revoked every access and refresh token it issued to this app, as a user removing the app from their account would. The dashboard still says <i>active</i>: the app learns of it at its next call. Press <b>Call the API</b>: the token is refused, the refresh fails with <code>invalid_grant</code>, and the connection turns <i>needs_reauth</i> with a reconnect banner.</p>'
      : '';
  return layout(`${notice}${banners}
<p id="greeting">Signed in as <b>${esc(user.name ?? user.email ?? user.id)}</b>${user.email ? ` (${esc(user.email)}${user.emailVerified ? ', verified' : ''})` : ''}.</p>
<h2>Connected accounts</h2>
<table><thead><tr><th>Provider</th><th>Status</th><th>Health</th><th>Scopes</th><th>Token expires</th><th>Refresh token</th><th>Last refresh</th><th>Last error</th><th></th></tr></thead><tbody>${rows || '<tr><td colspan="9">None yet.</td></tr>'}</tbody></table>
<p>${connect}</p>
<h2>Call a provider API as this user</h2>
<p><a class="button" id="api-demo" href="/api-demo">Call the API</a> <span class="note">(through <code>req.oauth.fetch</code>, refreshing the token when needed)</span></p>
${options.dev ? '<p><form method="post" action="/dev/revoke-access"><button class="button" id="revoke" type="submit">Simulate the provider revoking access</button></form> <span class="note">(development provider only)</span></p>' : ''}
<h2>Your devices</h2>
<table><thead><tr><th>Kind</th><th>Signed in with</th><th>Since</th><th>Device</th><th></th></tr></thead><tbody>${devices
    .map(
      (d) =>
        `<tr class="device"><td>${esc(d.kind)}</td><td>${esc(nameOf(d.provider))}</td><td>${when(d.createdAt)}</td><td>${esc(d.userAgent ?? '—')}</td><td>${d.current ? '<b>this device</b>' : `<form method="post" action="/devices/${esc(d.id)}/sign-out"><button class="button" type="submit">Sign out</button></form>`}</td></tr>`,
    )
    .join('')}</tbody></table>
<h2>Session</h2>
<form method="post" action="/auth/logout"><button class="button" id="sign-out" type="submit">Sign out</button></form>
<form method="post" action="/auth/logout?everywhere=true"><button class="button" id="sign-out-everywhere" type="submit">Sign out everywhere</button></form>
<p class="note">Sign-out is a POST from this origin; the library refuses it from any other site (CSRF).</p>`);
}

/** The API demo when the account is not connected (e.g. after Disconnect). */
export function notConnectedPage(provider: ProviderLink | undefined): string {
  const connect = provider
    ? `<a class="button" id="connect" href="${esc(provider.loginUrl)}?returnTo=%2Fapi-demo">Connect ${esc(provider.displayName)}</a>`
    : '';
  return layout(`<p class="error" id="not-connected">Your account is not connected to ${esc(provider?.displayName ?? 'the provider')}, so there is no token to call its API with.</p>
<p>${connect} <a class="button" href="/">Back to the dashboard</a></p>`);
}

/** The API demo: what the provider answered. */
export function apiPage(url: string, status: number, body: string): string {
  let pretty = body;
  try {
    pretty = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // Not JSON: show it as it came.
  }
  return layout(`<p>GET <code>${esc(url)}</code> answered <b id="api-status">${status}</b>:</p><pre id="api-body">${esc(pretty)}</pre>
<p><a class="button" href="/">Back to the dashboard</a></p>`);
}

/** A friendly page for each error code the library produces. */
export function errorPage(code: string, expectedAccount?: string): string {
  const text = ERROR_TEXT[code] ?? 'Something went wrong while signing in.';
  const expected = expectedAccount
    ? `<p id="expected">Sign in with <strong>${esc(expectedAccount)}</strong> to reconnect, or sign out first to use another account.</p>`
    : '';
  return layout(
    `<p class="error" id="error" data-code="${esc(code)}">${esc(text)}</p>${expected}<p><a class="button" href="/">Back</a></p>`,
  );
}
