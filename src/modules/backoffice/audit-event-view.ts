import { auditDetails } from '../audit/audit-details';
import { AuditEvent } from '../audit/entities/audit-event.entity';

export { auditDetails };

/** An audit event as the back-office shows it: who, what, when, and its data as short text. */
export interface AuditEventView {
  readonly seq: string;
  readonly action: string;
  readonly actor: string;
  readonly subject: string | null;
  readonly at: Date;
  readonly ip: string | null;
  readonly details: string;
}

export function auditEventView(event: AuditEvent): AuditEventView {
  return {
    seq: event.seq,
    action: event.action,
    actor: event.actorId ? `${event.actorType} ${event.actorId}` : event.actorType,
    subject: event.subjectType ? `${event.subjectType} ${event.subjectId}` : null,
    at: event.createdAt,
    ip: event.ip,
    details: auditDetails(event.data),
  };
}
