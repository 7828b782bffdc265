/** What an identity verification is for: each purpose's token authorises one kind of change. */
export const VERIFICATION_PURPOSES = [
  'change_password',
  'change_email',
  'change_phone',
  'enable_totp',
  'disable_totp',
  // The owner stops an open appeal against the account (AccountAppealsService).
  'stop_appeal',
  'add_passkey',
  'remove_passkey',
] as const;
export type VerificationPurpose = (typeof VERIFICATION_PURPOSES)[number];
