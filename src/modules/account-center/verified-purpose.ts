import { VERIFICATION_PURPOSES, VerificationPurpose } from '../verification/verification-purpose';

/** Where each purpose's change is made once the identity is verified, and the page text naming it. */
export const PURPOSE_PAGES: Record<VerificationPurpose, { readonly path: string; readonly label: string }> = {
  change_password: { path: '/security/password', label: 'account:verify.purposes.changePassword' },
  change_email: { path: '/security/email', label: 'account:verify.purposes.changeEmail' },
  change_phone: { path: '/security/phone', label: 'account:verify.purposes.changePhone' },
  enable_totp: { path: '/security/totp', label: 'account:verify.purposes.enableTotp' },
  disable_totp: { path: '/security/totp', label: 'account:verify.purposes.disableTotp' },
  stop_appeal: { path: '/security/appeals', label: 'account:verify.purposes.stopAppeal' },
  add_passkey: { path: '/security/passkeys/new', label: 'account:verify.purposes.addPasskey' },
  remove_passkey: { path: '/security/passkeys', label: 'account:verify.purposes.removePasskey' },
};

export function isPurpose(value: unknown): value is VerificationPurpose {
  return typeof value === 'string' && (VERIFICATION_PURPOSES as readonly string[]).includes(value);
}

export function verifyPath(purpose: VerificationPurpose): string {
  return `/security/verify?purpose=${purpose}`;
}
