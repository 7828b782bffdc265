import { canonicalJson } from './canonical-json';
import { leafHash } from './merkle';

/**
 * An audit event as the log hashes and publishes it. Its RFC 8785 canonical JSON (keys sorted,
 * no whitespace, numbers and strings as ECMAScript writes them) is what a leaf hash covers:
 * leaf = SHA-256(0x00 || canonical JSON).
 */
export interface PublishedAuditEvent {
  /** The event's id (`audit_events.seq`), as a string: bigint. */
  readonly id: string;
  readonly createdAt: string;
  readonly action: string;
  readonly actor: { readonly type: string; readonly id: string | null };
  readonly subject: { readonly type: string | null; readonly id: string | null } | null;
  readonly data: Record<string, unknown>;
  readonly ip: string | null;
  /** 128 random bits, hex. */
  readonly nonce: string;
}

/** The columns of `audit_events` as pg returns them. */
export interface AuditEventRow {
  readonly seq: string;
  readonly created_at: Date;
  readonly action: string;
  readonly actor_type: string;
  readonly actor_id: string | null;
  readonly subject_type: string | null;
  readonly subject_id: string | null;
  readonly data: Record<string, unknown>;
  readonly ip: string | null;
  readonly nonce: string;
}

export const AUDIT_EVENT_COLUMNS = 'seq, created_at, action, actor_type, actor_id, subject_type, subject_id, data, ip, nonce';

export function publishedEvent(row: AuditEventRow): PublishedAuditEvent {
  return {
    id: String(row.seq),
    createdAt: row.created_at.toISOString(),
    action: row.action,
    actor: { type: row.actor_type, id: row.actor_id },
    subject: row.subject_type === null && row.subject_id === null ? null : { type: row.subject_type, id: row.subject_id },
    data: row.data,
    ip: row.ip,
    nonce: row.nonce,
  };
}

export function eventLeafHash(event: PublishedAuditEvent): Buffer {
  return leafHash(Buffer.from(canonicalJson(event), 'utf8'));
}
