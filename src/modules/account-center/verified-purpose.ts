import { VERIFICATION_PURPOSES, VerificationPurpose } from '../verification/verification-purpose';

/** Where each purpose's change is made once the identity is verified. */
export const PURPOSE_PAGES: Record<VerificationPurpose, { readonly path: string; readonly label: string }> = {
  change_password: { path: '/security/password', label: 'change your logon password' },
  change_email: { path: '/security/email', label: 'change your logon email' },
  change_phone: { path: '/security/phone', label: 'change your secure phone' },
  enable_totp: { path: '/security/totp', label: 'set up an authenticator app' },
  disable_totp: { path: '/security/totp', label: 'turn off your authenticator app' },
  stop_appeal: { path: '/security/appeals', label: 'stop an appeal against your account' },
  add_passkey: { path: '/security/passkeys/new', label: 'add a passkey' },
  remove_passkey: { path: '/security/passkeys', label: 'remove a passkey' },
};

export function isPurpose(value: unknown): value is VerificationPurpose {
  return typeof value === 'string' && (VERIFICATION_PURPOSES as readonly string[]).includes(value);
}

export function verifyPath(purpose: VerificationPurpose): string {
  return `/security/verify?purpose=${purpose}`;
}
