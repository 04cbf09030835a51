/**
 * The OpenID Connect authorization parameters an app may let a login request pass through per login
 * (`providers.<name>.loginParams`), each with the pattern its value must match. A login query parameter that is
 * not allowlisted is ignored; an allowlisted one that does not match is refused with `invalid_request`.
 * @see OpenID Connect Core §3.1.2.1
 */
export const STANDARD_LOGIN_PARAMS: Readonly<Record<string, RegExp>> = {
  // `none` stands alone; the others combine (OIDC Core §3.1.2.1).
  prompt: /^(none|(login|consent|select_account)( (login|consent|select_account)){0,2})$/,
  // An email or account name the provider pre-fills; no control characters, so it cannot split a log line.
  login_hint: /^\P{Cc}{1,256}$/u,
  max_age: /^\d{1,9}$/,
  ui_locales: /^[A-Za-z0-9-]{2,35}( [A-Za-z0-9-]{2,35}){0,9}$/,
  acr_values: /^[!-~]{1,128}( [!-~]{1,128}){0,9}$/,
  display: /^(page|popup|touch|wap)$/,
};
