import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * A logon email as stored: trimmed, domain lower-cased (the local part keeps its case; uniqueness
 * is case-insensitive in the database).
 */
export function normaliseEmail(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  return at < 0 ? trimmed : `${trimmed.slice(0, at)}${trimmed.slice(at).toLowerCase()}`;
}

/** True for a valid phone number written exactly in E.164 (`+8613812345678`), as libphonenumber-js sees it. */
export function isE164Phone(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\+[1-9]\d{6,14}$/.test(value)) return false;
  const parsed = parsePhoneNumberFromString(value);
  return parsed !== undefined && parsed.isValid() && parsed.number === value;
}
