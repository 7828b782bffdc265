import { PUBLIC_ANSWER_FLOOR_MS } from '../../../common/answer-floor';
import { addressKey } from '../../../common/client-address';
import { Bucket, bucket } from '../../../infrastructure/limits/limiter';
import { LIMITS } from '../../../infrastructure/limits/limits';

/**
 * Allowances of the recovery requests, which need no session. They are counted by what was
 * typed (login, phone) and by IP, alike whether or not an account matches, so a 429 says
 * nothing about accounts; an account's own send limit still applies to the codes it receives.
 */
export const RECOVERY_LIMITS = {
  codesPerLoginPerHour: LIMITS.recoveryCodesPerLogin.max,
  codesPerIpPerHour: LIMITS.recoveryCodesPerAddress.max,
  remindersPerPhonePerHour: LIMITS.remindersPerPhone.max,
  remindersPerIpPerHour: LIMITS.remindersPerAddress.max,
  failuresPerLoginPerHour: LIMITS.recoveryFailuresPerLogin.max,
  failuresPerIpPerHour: LIMITS.recoveryFailuresPerAddress.max,
} as const;

/**
 * Recovery requests answer no sooner than this after they arrive: with an account they write and
 * enqueue a message, without one they do not, and a few milliseconds would tell the two apart.
 */
export const RECOVERY_ANSWER_FLOOR_MS = PUBLIC_ANSWER_FLOOR_MS;

/** `loginKey`: the case-insensitive form of the login (`parseLogin(...).key`). */
export function passwordRecoveryBuckets(loginKey: string, ip: string): Bucket[] {
  return [bucket(LIMITS.recoveryCodesPerLogin, loginKey), bucket(LIMITS.recoveryCodesPerAddress, addressKey(ip))];
}

/**
 * Where wrong recovery codes count: per login as typed (`loginHash`, alike with or without an
 * account) and per address. Full, they hold back new recoveries (429), and nothing else: the
 * owner's sign-in and verification never see them.
 */
export function recoveryFailureBuckets(loginHash: string, ip: string): Bucket[] {
  return [bucket(LIMITS.recoveryFailuresPerLogin, loginHash), bucket(LIMITS.recoveryFailuresPerAddress, addressKey(ip))];
}

export function logonEmailReminderBuckets(phone: string, ip: string): Bucket[] {
  return [bucket(LIMITS.remindersPerPhone, phone), bucket(LIMITS.remindersPerAddress, addressKey(ip))];
}
