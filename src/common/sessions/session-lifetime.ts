import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { hashToken, randomToken } from '../crypto/tokens';
import { SessionRecord } from './session-record';

/** What a session token looks like (256 random bits, base64url); anything else is refused unread. */
export const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** lastSeenAt moves at most this often (and at most every tenth of the idle timeout). */
const TOUCH_INTERVAL_MS = 60_000;

/** A new session's row as far as every session table shares it, and the token for the client. */
export interface OpenedSession {
  /** Goes to the client once; only its SHA-256 is stored. */
  readonly token: string;
  readonly record: SessionRecord & { id: string; tokenHash: string };
}

/** SESSION_IDLE and SESSION_ABSOLUTE, as user sessions and agent sessions both apply them. */
export class SessionLifetime {
  readonly idleMs: number;
  private readonly absoluteMs: number;
  private readonly touchIntervalMs: number;

  constructor(sessions: AppConfig['sessions']) {
    this.idleMs = sessions.idleMs;
    this.absoluteMs = sessions.absoluteMs;
    this.touchIntervalMs = Math.min(TOUCH_INTERVAL_MS, Math.floor(this.idleMs / 10));
  }

  /** A session opened at `now` for `client`. */
  open(now: Date, client: { ip?: string; userAgent?: string }): OpenedSession {
    const token = randomToken();
    return {
      token,
      record: {
        id: randomUUID(),
        tokenHash: hashToken(token),
        ip: client.ip ?? null,
        userAgent: client.userAgent?.slice(0, 512) ?? null,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + this.absoluteMs),
        revokedAt: null,
        revokedReason: null,
      },
    };
  }

  /** True when a request at `nowMs` should move the session's lastSeenAt forward. */
  dueForTouch(lastSeenAt: Date, nowMs: number): boolean {
    return nowMs - lastSeenAt.getTime() >= this.touchIntervalMs;
  }
}
