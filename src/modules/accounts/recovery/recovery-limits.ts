import { SendBucket } from '../../challenges/challenge-limits';

const HOUR_MS = 3_600_000;

/**
 * Allowances of the recovery requests, which need no session. They are counted by what was
 * typed (login, phone) and by IP, alike whether or not an account matches, so a 429 says
 * nothing about accounts; an account's own send limit still applies to the codes it receives.
 */
export const RECOVERY_LIMITS = {
  codesPerLoginPerHour: 5,
  codesPerIpPerHour: 20,
  remindersPerPhonePerHour: 3,
  remindersPerIpPerHour: 10,
} as const;

/**
 * Recovery requests answer no sooner than this after they arrive: with an account they write and
 * enqueue a message, without one they do not, and a few milliseconds would tell the two apart.
 * Well above either path's time on a busy machine, and unnoticed by a person.
 */
export const RECOVERY_ANSWER_FLOOR_MS = 100;

/** `loginKey`: the case-insensitive form of the login (`parseLogin(...).key`). */
export function passwordRecoveryBuckets(loginKey: string, ip: string): SendBucket[] {
  return [
    { name: `recovery-login:${loginKey}`, limit: RECOVERY_LIMITS.codesPerLoginPerHour, windowMs: HOUR_MS },
    { name: `recovery-ip:${ip}`, limit: RECOVERY_LIMITS.codesPerIpPerHour, windowMs: HOUR_MS },
  ];
}

export function logonEmailReminderBuckets(phone: string, ip: string): SendBucket[] {
  return [
    { name: `reminder-phone:${phone}`, limit: RECOVERY_LIMITS.remindersPerPhonePerHour, windowMs: HOUR_MS },
    { name: `reminder-ip:${ip}`, limit: RECOVERY_LIMITS.remindersPerIpPerHour, windowMs: HOUR_MS },
  ];
}
