import type { Response } from 'express';
import { localeOf, timeZoneOf } from '../../common/i18n/page-locale';
import { translate } from '../../common/i18n/page-texts';
import { formatTimeOfDay } from '../../common/views/formats';
import { ChallengeMethod } from '../challenges/entities/code-challenge.entity';

/** What a page asking for a code says about it: where it went, until when, and when another may be asked for. */
export interface CodeStepView {
  readonly method: ChallengeMethod;
  readonly sentBy?: string;
  readonly maskedDestination?: string;
  readonly expiresAt: Date;
  /** Null for TOTP (nothing is sent, so nothing to resend). */
  readonly resend: {
    readonly availableNow: boolean;
    readonly availableAt: string;
    /** For the page's script, which counts down and enables the button. */
    readonly availableAtIso: string;
    readonly inSeconds: number;
  } | null;
  /** `14:05:09 UTC`, `22:05:09 Asia/Shanghai`: in the page's zone, with the zone named. */
  readonly expiresAtLabel: string;
}

/**
 * The code step of a page, rendered on the server in the page's language and zone: the page says
 * at what time (and in how many seconds) the resend button works and disables it until then; the
 * pages' script counts down and enables it when the time comes.
 */
export function codeStep(
  method: ChallengeMethod,
  maskedDestination: string | null | undefined,
  expiresAt: Date,
  resendAvailableAt: Date | null | undefined,
  now: Date,
  response: Response,
): CodeStepView {
  const locale = localeOf(response);
  const zone = timeZoneOf(response);
  const inSeconds = resendAvailableAt ? Math.max(0, Math.ceil((resendAvailableAt.getTime() - now.getTime()) / 1000)) : 0;
  const resendAt = resendAvailableAt ?? now;
  return {
    method,
    sentBy: method === 'sms' || method === 'email' ? translate(locale, `account:code.sentBy.${method}`) : undefined,
    maskedDestination: maskedDestination ?? undefined,
    expiresAt,
    expiresAtLabel: formatTimeOfDay(expiresAt, zone),
    resend:
      method === 'totp'
        ? null
        : {
            availableNow: inSeconds === 0,
            availableAt: formatTimeOfDay(resendAt, zone),
            availableAtIso: resendAt.toISOString(),
            inSeconds,
          },
  };
}
