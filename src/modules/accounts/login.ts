import { normaliseEmail } from '../../common/contacts';

/** A RAM user's login name: letters, digits, `.`, `_` and `-`, 1 to 64 characters. */
export const LOGIN_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export type ParsedLogin =
  | { readonly kind: 'email'; readonly email: string; readonly key: string }
  | { readonly kind: 'ram_user'; readonly loginName: string; readonly uid: string; readonly key: string };

const RAM_LOGIN = /^([A-Za-z0-9._-]{1,64})@([1-9]\d{15})$/;

/**
 * What a sign-in's `login` names: `<loginName>@<uid>` is a RAM user (a 16-digit domain is no
 * email domain), anything else a logon email. `key` is the case-insensitive form the throttle
 * counts under, so `Ada@x.com` and `ada@X.com` share one count.
 */
export function parseLogin(login: string): ParsedLogin {
  const trimmed = login.trim();
  const ram = RAM_LOGIN.exec(trimmed);
  if (ram) return { kind: 'ram_user', loginName: ram[1], uid: ram[2], key: trimmed.toLowerCase() };
  const email = normaliseEmail(trimmed);
  return { kind: 'email', email, key: email.toLowerCase() };
}

export function ramLogin(loginName: string, uid: string): string {
  return `${loginName}@${uid}`;
}
