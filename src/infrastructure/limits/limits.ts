/**
 * Every limit the service counts in Redis, in one place: what it counts (`key`: the parts of its
 * key, in order), how many (`max`) in what rolling window (`windowMs`), and, for limits that lock
 * something once full, for how long (`lock`). The services that apply them say what happens when
 * one is reached (429, 423, a decoy); the Limiter counts them all the same way.
 *
 * Limits counted from database rows rather than Redis (appeal filings per IP, per contact email
 * and open appeals per identifier) are in `modules/appeals/appeal-filing-limits.ts`, and the
 * per-challenge rules (5 attempts, 5 sends, 60 s between sends) are columns of the challenge.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface LockRule {
  /** How long the first lock lasts; each further failure while the count stays full doubles it... */
  readonly firstMs: number;
  /** ...up to this. Equal to `firstMs` for a lock of fixed length. */
  readonly maxMs: number;
  /** The count starts afresh when a lock starts (a fixed lock), or keeps counting (a doubling one). */
  readonly resetCount: boolean;
}

export interface Limit {
  /** Part of the Redis key: a limit's name never changes once released (counts would restart). */
  readonly name: string;
  readonly max: number;
  readonly windowMs: number;
  /** Names of the key parts, for readers; the values are given where the limit is applied. */
  readonly key: readonly string[];
  readonly lock?: LockRule;
}

function limit<const K extends string, const S extends Omit<Limit, 'name'>>(name: K, spec: S): S & { readonly name: K } {
  return { ...spec, name };
}

export const LIMITS = {
  // --- Codes sent (identity verification, sign-in challenges, contact changes, recovery)
  /** Codes sent to one account, across every challenge (429 RATE_LIMITED beyond). */
  accountSends: limit('account-sends', { max: 10, windowMs: HOUR, key: ['account uid'] }),
  /**
   * Wrong codes against one account's challenges (verification, sign-in, contact changes):
   * the 20th locks the account's verification for an hour (423 VERIFICATION_LOCKED), and its
   * owner is told. Flows that anyone can start (recovery) never count here.
   */
  accountFailures: limit('account-failures', {
    max: 20,
    windowMs: HOUR,
    key: ['account uid'],
    lock: { firstMs: HOUR, maxMs: HOUR, resetCount: true },
  }),

  // --- Password recovery and logon-email reminders (no session: anyone can start them)
  /** Recovery codes asked for one login as typed (an account or not, alike). */
  recoveryCodesPerLogin: limit('recovery-login', { max: 5, windowMs: HOUR, key: ['login hash'] }),
  recoveryCodesPerAddress: limit('recovery-ip', { max: 20, windowMs: HOUR, key: ['client address (IPv6 /64)'] }),
  /**
   * Wrong recovery codes for one login as typed: once full, new recoveries of that login answer
   * 429 for 15 minutes, doubling up to an hour. Never the owner's sign-in or verification.
   */
  recoveryFailuresPerLogin: limit('recovery-failures-login', {
    max: 20,
    windowMs: HOUR,
    key: ['login hash'],
    lock: { firstMs: 15 * MINUTE, maxMs: HOUR, resetCount: false },
  }),
  /** Wrong recovery codes from one address, whatever the login: new recoveries from it answer 429. */
  recoveryFailuresPerAddress: limit('recovery-failures-ip', {
    max: 50,
    windowMs: HOUR,
    key: ['client address (IPv6 /64)'],
    lock: { firstMs: 15 * MINUTE, maxMs: HOUR, resetCount: false },
  }),
  /** Codes typed for a recovery id that never existed: counted down like a real one's 5 attempts. */
  unknownRecoveryAttempts: limit('recovery-unknown', { max: 5, windowMs: 10 * MINUTE, key: ['recovery id hash'] }),
  /** The owner hears of wrong recovery codes (`recovery-failures`) once an hour at most. */
  recoveryFailuresNotice: limit('recovery-failures-notice', { max: 1, windowMs: HOUR, key: ['account uid'] }),
  remindersPerPhone: limit('reminder-phone', { max: 3, windowMs: HOUR, key: ['phone'] }),
  remindersPerAddress: limit('reminder-ip', { max: 10, windowMs: HOUR, key: ['client address (IPv6 /64)'] }),

  // --- Owner's sign-in
  /**
   * Failed sign-ins of one login as typed: the 10th refuses the next attempt (429
   * LOGIN_THROTTLED) for a minute, doubling with each further failure up to an hour. A success
   * or a completed recovery clears it; the right password from a trusted device passes it.
   */
  signInFailuresPerLogin: limit('sign-in-login', {
    max: 10,
    windowMs: HOUR,
    key: ['login hash'],
    lock: { firstMs: MINUTE, maxMs: HOUR, resetCount: false },
  }),
  /** Failed sign-ins from one address: as per login, and nothing passes it. */
  signInFailuresPerAddress: limit('sign-in-ip', {
    max: 10,
    windowMs: HOUR,
    key: ['client address (IPv6 /64)'],
    lock: { firstMs: MINUTE, maxMs: HOUR, resetCount: false },
  }),
  /** The owner of a throttled login hears of it (`sign-in-throttled`) once an hour at most. */
  signInThrottledNotice: limit('sign-in-notice', { max: 1, windowMs: HOUR, key: ['account uid'] }),

  // --- Back-office sign-in
  /** 5 failures for one email from one network (IPv4 /24, IPv6 /64) lock that email there for 15 minutes. */
  agentSignInFailures: limit('agent-sign-in', {
    max: 5,
    windowMs: 15 * MINUTE,
    key: ['email hash', 'network'],
    lock: { firstMs: 15 * MINUTE, maxMs: 15 * MINUTE, resetCount: true },
  }),

  // --- Appeals (public)
  contactCodesPerEmail: limit('contact-email', { max: 5, windowMs: HOUR, key: ['contact email hash'] }),
  contactCodesPerAddress: limit('appeal-contact-ip', { max: 20, windowMs: HOUR, key: ['client address (IPv6 /64)'] }),
  accessTokenResendsPerEmail: limit('appeal-token-email', { max: 5, windowMs: HOUR, key: ['contact email hash'] }),
  accessTokenResendsPerAddress: limit('appeal-token-ip', { max: 20, windowMs: HOUR, key: ['client address (IPv6 /64)'] }),
  /** WebAuthn challenges for a passkey sign-in, asked before anyone is known: each is a row (429 beyond). */
  passkeyOptionsPerAddress: limit('passkey-options-ip', { max: 60, windowMs: 10 * MINUTE, key: ['client address (IPv6 /64)'] }),
} as const;

export type LimitName = keyof typeof LIMITS;
