import { maskEmail, maskPhone } from '../../common/masking';
import { Account } from './entities/account.entity';
import { Principal, principalView } from './principal';

export const VERIFICATION_METHODS = ['sms', 'email', 'totp', 'passkey'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

/** The identity checks the account can take: SMS with a secure phone, email always, TOTP when enabled, passkey when it has one. */
export function verificationMethods(account: Pick<Account, 'securePhone' | 'totpSecret'>, hasPasskey = false): VerificationMethod[] {
  return [
    ...(account.securePhone ? (['sms'] as const) : []),
    'email',
    ...(account.totpSecret ? (['totp'] as const) : []),
    ...(hasPasskey ? (['passkey'] as const) : []),
  ];
}

/**
 * `GET /api/v1/account`. The logon email is shown in full to its owner only; RAM users, roles and
 * SSO users see it masked, like the phone.
 */
export function accountView(account: Account, principal: Principal, hasPasskey = false) {
  return {
    uid: account.uid,
    logonEmail: principal.type === 'root' ? account.logonEmail : maskEmail(account.logonEmail),
    securePhone: account.securePhone ? maskPhone(account.securePhone) : null,
    totpEnabled: account.totpSecret !== null,
    verificationMethods: verificationMethods(account, hasPasskey),
    locale: account.locale,
    passwordChangedAt: account.passwordChangedAt,
    principal: principalView(principal),
  };
}
