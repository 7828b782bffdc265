import { ChallengeMethod } from '../challenges/entities/code-challenge.entity';

/** What a page asking for a code says about it: where it went, until when, and when another may be asked for. */
export interface CodeStepView {
  readonly method: ChallengeMethod;
  readonly sentBy?: string;
  readonly maskedDestination?: string;
  readonly expiresAt: Date;
  /** Null for TOTP (nothing is sent, so nothing to resend). */
  readonly resend: { readonly availableNow: boolean; readonly availableAt: string; readonly inSeconds: number } | null;
  /** `14:05:09 UTC` */
  readonly expiresAtLabel: string;
}

/**
 * The code step of a page, rendered on the server: no script counts down, so the page says at
 * what time (and in how many seconds) the resend button works, and disables it until then.
 */
export function codeStep(
  method: ChallengeMethod,
  maskedDestination: string | null | undefined,
  expiresAt: Date,
  resendAvailableAt: Date | null | undefined,
  now: Date,
): CodeStepView {
  const inSeconds = resendAvailableAt ? Math.max(0, Math.ceil((resendAvailableAt.getTime() - now.getTime()) / 1000)) : 0;
  return {
    method,
    sentBy: method === 'sms' ? 'text message' : method === 'email' ? 'email' : undefined,
    maskedDestination: maskedDestination ?? undefined,
    expiresAt,
    expiresAtLabel: timeOfDay(expiresAt),
    resend: method === 'totp' ? null : { availableNow: inSeconds === 0, availableAt: timeOfDay(resendAvailableAt ?? now), inSeconds },
  };
}

function timeOfDay(at: Date): string {
  return `${at.toISOString().slice(11, 19)} UTC`;
}
