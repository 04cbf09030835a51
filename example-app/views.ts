import type { OAuthUser, ProviderOptions } from '../src/index.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const layout = (body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>express-oauth-router example</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}
.button{display:inline-block;padding:.6rem 1.1rem;border:1px solid #444;border-radius:.4rem;text-decoration:none;color:#222;margin:.3rem 0;background:#fff;font-size:1rem;cursor:pointer}
.note{color:#666}.error{background:#fee;border:1px solid #c66;padding:.8rem;border-radius:.4rem}pre{background:#f5f5f5;padding:.8rem;overflow:auto}</style>
</head><body><h1>express-oauth-router example</h1>${body}</body></html>`;

const ERROR_TEXT: Record<string, string> = {
  access_denied: 'You cancelled the sign-in at the provider. Nothing was changed.',
  invalid_state: 'That sign-in link expired or was already used. Please start again.',
  provider_error: 'The identity provider did not complete the sign-in. Please try again in a moment.',
  email_conflict: 'An account with this email already exists. Sign in with the provider you used before.',
  store_unavailable: 'The service is briefly unavailable. Please try again shortly.',
  invalid_request: 'That sign-in request was not valid.',
};

/** The home page: sign-in buttons, or the signed-in user and a sign-out button. */
export function homePage(
  user: OAuthUser | undefined,
  providers: Record<string, ProviderOptions>,
  notice?: string,
): string {
  if (!user) {
    const buttons = Object.entries(providers)
      .map(
        ([name, p]) =>
          `<p><a class="button" id="sign-in-${esc(name)}" href="/auth/${esc(name)}/login?returnTo=/">Sign in with ${esc(p.displayName ?? name)}</a></p>`,
      )
      .join('');
    return layout(`${notice ? `<p class="note">${esc(notice)}</p>` : ''}<p>You are not signed in.</p>${buttons}
<p class="note">Protected JSON: <a href="/me">/me</a> (redirects you to sign in).</p>`);
  }
  return layout(`<p id="greeting">Signed in as <b>${esc(user.name ?? user.email ?? user.id)}</b>${user.email ? ` (${esc(user.email)}${user.emailVerified ? ', verified' : ''})` : ''}.</p>
<pre>${esc(JSON.stringify(user, null, 2))}</pre>
<form method="post" action="/auth/logout"><button class="button" id="sign-out" type="submit">Sign out</button></form>`);
}

/** A friendly page for each error code the library redirects with. */
export function errorPage(code: string): string {
  const text = ERROR_TEXT[code] ?? 'Something went wrong while signing in.';
  return layout(
    `<p class="error" id="error" data-code="${esc(code)}">${esc(text)}</p><p><a class="button" href="/">Back</a></p>`,
  );
}
