import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** `john@example.com` → `j***@example.com`: enough to recognise, not enough to learn. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** `+8613812345678` → `+86 138****5678`: country code, first three and last four national digits. */
export function maskPhone(phone: string): string {
  const parsed = parsePhoneNumberFromString(phone);
  const national = parsed ? String(parsed.nationalNumber) : phone.replace(/\D/g, '');
  const prefix = parsed ? `+${parsed.countryCallingCode} ` : '';
  if (national.length <= 7) return `${prefix}${'*'.repeat(Math.max(0, national.length - 2))}${national.slice(-2)}`;
  return `${prefix}${national.slice(0, 3)}${'*'.repeat(national.length - 7)}${national.slice(-4)}`;
}
