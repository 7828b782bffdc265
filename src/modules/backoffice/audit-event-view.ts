import { Injectable } from '@nestjs/common';
import { maskEmail } from '../../common/masking';
import { AccountsService } from '../accounts/accounts.service';
import { AgentsService } from '../agents/agents.service';
import { AuditEvent } from '../audit/entities/audit-event.entity';

/** A party of an event as the back-office shows it: a name to read, and where to look at it when there is a page. */
export interface AuditPartyView {
  readonly text: string;
  readonly href: string | null;
}

/** An audit event as the back-office shows it: who, what, when, and its data as label/value pairs. */
export interface AuditEventView {
  readonly seq: string;
  readonly action: string;
  readonly actor: AuditPartyView;
  readonly subject: AuditPartyView | null;
  readonly at: Date;
  readonly ip: string | null;
  readonly details: readonly { readonly label: string; readonly value: string }[];
}

/** Who the ids of a page of events are: agents by name and email, accounts by their logon email (masked when shown). */
export interface AuditNames {
  readonly agents: ReadonlyMap<string, { readonly name: string; readonly email: string }>;
  readonly accounts: ReadonlyMap<string, string>;
}

/**
 * Turns audit events into what the audit table shows: actors and subjects by name rather than by
 * UUID (agents by name and email, accounts by their masked logon email, "system"), and the data
 * as readable pairs. One query per kind of id for a whole page.
 */
@Injectable()
export class AuditEventViews {
  constructor(
    private readonly agents: AgentsService,
    private readonly accounts: AccountsService,
  ) {}

  async of(events: readonly AuditEvent[]): Promise<AuditEventView[]> {
    const ids = (type: string) => [
      ...events.filter((event) => event.actorType === type && event.actorId).map((event) => event.actorId!),
      ...events.filter((event) => event.subjectType === type && event.subjectId).map((event) => event.subjectId!),
    ];
    const [agents, accounts] = await Promise.all([this.agents.identitiesOf(ids('agent')), this.accounts.logonEmailsOf(ids('account'))]);
    return events.map((event) => auditEventView(event, { agents, accounts }));
  }
}

export function auditEventView(event: AuditEvent, names: AuditNames): AuditEventView {
  return {
    seq: event.seq,
    action: event.action,
    actor: actorView(event, names),
    subject: event.subjectType && event.subjectId ? partyView(event.subjectType, event.subjectId, names) : null,
    at: event.createdAt,
    ip: event.ip,
    details: auditDetailPairs(event.data),
  };
}

function actorView(event: AuditEvent, names: AuditNames): AuditPartyView {
  if (!event.actorId) return { text: event.actorType === 'public' ? 'someone not signed in' : event.actorType, href: null };
  if (event.actorType === 'system') return { text: `system (${event.actorId})`, href: null };
  // A RAM user or other principal: `<type>:<login>`, the login naming its account already.
  if (event.actorType === 'principal') return { text: event.actorId.replace(/^[a-z_]+:/, ''), href: null };
  return partyView(event.actorType, event.actorId, names);
}

function partyView(type: string, id: string, names: AuditNames): AuditPartyView {
  if (type === 'agent') {
    const agent = names.agents.get(id);
    return { text: agent ? `${agent.name} (${agent.email})` : 'an agent no longer listed', href: null };
  }
  if (type === 'account') {
    const email = names.accounts.get(id);
    return { text: email ? maskEmail(email) : `account ${id}`, href: `/agent/accounts/${encodeURIComponent(id)}` };
  }
  if (type === 'appeal') return { text: `appeal ${id}`, href: `/agent/appeals/${encodeURIComponent(id)}` };
  return { text: `${humanise(type).toLowerCase()} ${id}`, href: null };
}

/**
 * An event's data as label/value pairs: `revokedSessions: 2` is "Revoked sessions: 2". Members
 * without a value (null, empty text, an empty list) are left out rather than shown as `null`.
 */
export function auditDetailPairs(data: Record<string, unknown>): { label: string; value: string }[] {
  return Object.entries(data)
    .map(([key, value]) => ({ label: humanise(key), value: readable(value) }))
    .filter((pair) => pair.value !== '');
}

function readable(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value))
    return value
      .map(readable)
      .filter((item) => item !== '')
      .join(', ');
  if (typeof value === 'object') {
    const pairs = auditDetailPairs(value as Record<string, unknown>);
    return pairs.map((pair) => `${pair.label.toLowerCase()} ${pair.value}`).join('; ');
  }
  return String(value as string);
}

/** `revokedSessions`, `revoked_sessions` → "Revoked sessions"; `appealId` → "Appeal ID". */
export function humanise(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .map((word) => (word === 'id' ? 'ID' : word === 'ip' ? 'IP' : word === 'uid' ? 'UID' : word === 'totp' ? 'TOTP' : word));
  const text = words.join(' ');
  return text ? text[0].toUpperCase() + text.slice(1) : key;
}
