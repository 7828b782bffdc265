import { AgentRole } from '../agents/entities/agent.entity';
import {
  AGENT_TRANSITIONS,
  allowedAgentActions,
  APPEAL_STATUSES,
  AppealStatus,
  decideAgentAction,
  decidePartyAction,
  RoleGrant,
  WorkflowAppeal,
} from './appeal-workflow';

const now = new Date('2026-11-22T10:00:00.000Z');
const later = new Date(now.getTime() + 60_000);
const earlier = new Date(now.getTime() - 60_000);
const fourEyes = { fourEyes: true };
const longAgo = new Date('2026-01-01T00:00:00.000Z');
const agent = (id: string, role: AgentRole = 'agent', grant: RoleGrant = { by: null, approvedBy: null, at: longAgo }) => ({
  id,
  role,
  grant,
});
const appeal = (status: AppealStatus, extra: Partial<WorkflowAppeal> = {}): WorkflowAppeal => ({
  status,
  version: 3,
  leaseAgentId: null,
  leaseExpiresAt: null,
  approvedBy: null,
  accountUid: '2081536794412356',
  ...extra,
});

describe('decideAgentAction', () => {
  it('refuses a stale version before anything else', () => {
    expect(() => decideAgentAction(appeal('rejected'), agent('a'), 'claim', 2, now, fourEyes)).toThrow(
      expect.objectContaining({ code: 'STALE_VERSION' }),
    );
  });

  it('claims a submitted appeal and renews or takes a lapsed lease, but not a live one of another agent', () => {
    expect(decideAgentAction(appeal('submitted'), agent('a'), 'claim', 3, now, fourEyes)).toMatchObject({
      to: 'in_review',
      lease: 'grant',
    });
    expect(
      decideAgentAction(appeal('in_review', { leaseAgentId: 'a', leaseExpiresAt: later }), agent('a'), 'claim', 3, now, fourEyes),
    ).toMatchObject({ to: 'in_review' });
    expect(
      decideAgentAction(appeal('in_review', { leaseAgentId: 'b', leaseExpiresAt: earlier }), agent('a'), 'claim', 3, now, fourEyes),
    ).toMatchObject({ to: 'in_review' });
    expect(() =>
      decideAgentAction(appeal('in_review', { leaseAgentId: 'b', leaseExpiresAt: later }), agent('a'), 'claim', 3, now, fourEyes),
    ).toThrow(expect.objectContaining({ code: 'LEASE_HELD' }));
  });

  it('lets only the lease holder decide, on a lapsed lease too until someone else claims', () => {
    const held = appeal('in_review', { leaseAgentId: 'a', leaseExpiresAt: earlier });
    expect(decideAgentAction(held, agent('a'), 'request_info', 3, now, fourEyes)).toMatchObject({ to: 'awaiting_customer' });
    expect(() => decideAgentAction(held, agent('b'), 'request_info', 3, now, fourEyes)).toThrow(
      expect.objectContaining({ code: 'TRANSITION_NOT_ALLOWED' }),
    );
  });

  it('sends an approval to a second supervisor with four eyes, straight to scheduled without', () => {
    const held = appeal('in_review', { leaseAgentId: 'a', leaseExpiresAt: later });
    expect(decideAgentAction(held, agent('a'), 'approve', 3, now, { fourEyes: true }).to).toBe('pending_second_approval');
    expect(decideAgentAction(held, agent('a'), 'approve', 3, now, { fourEyes: false }).to).toBe('scheduled');
  });

  it('keeps the confirmation to supervisors other than the approver, without a lease', () => {
    const pending = appeal('pending_second_approval', { approvedBy: 's1' });
    expect(decideAgentAction(pending, agent('s2', 'supervisor'), 'second_approve', 3, now, fourEyes)).toMatchObject({
      to: 'scheduled',
      lease: 'keep',
    });
    expect(() => decideAgentAction(pending, agent('s1', 'supervisor'), 'second_approve', 3, now, fourEyes)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(() => decideAgentAction(pending, agent('a'), 'second_approve', 3, now, fourEyes)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
  });

  it('approves only an appeal that names one account, and offers no approval otherwise', () => {
    const unmatched = appeal('in_review', { leaseAgentId: 'a', leaseExpiresAt: later, accountUid: null });
    expect(() => decideAgentAction(unmatched, agent('a'), 'approve', 3, now, fourEyes)).toThrow(
      expect.objectContaining({ code: 'TRANSITION_NOT_ALLOWED' }),
    );
    expect(allowedAgentActions(unmatched, agent('a'), now, fourEyes)).toEqual(['claim', 'release', 'note', 'request_info', 'reject']);
  });

  it('names the agent a takeover took the lease from', () => {
    expect(
      decideAgentAction(
        appeal('in_review', { leaseAgentId: 'a', leaseExpiresAt: later }),
        agent('s', 'supervisor'),
        'takeover',
        3,
        now,
        fourEyes,
      ),
    ).toMatchObject({ tookOverFrom: 'a' });
  });

  it('refuses what the status does not allow (403 TRANSITION_NOT_ALLOWED) and lets notes through in every status', () => {
    for (const status of APPEAL_STATUSES)
      expect(decideAgentAction(appeal(status), agent('a'), 'note', 3, now, fourEyes)).toMatchObject({ to: status, lease: 'keep' });
    expect(() => decideAgentAction(appeal('completed'), agent('a', 'admin'), 'reject', 3, now, fourEyes)).toThrow(
      expect.objectContaining({ code: 'TRANSITION_NOT_ALLOWED' }),
    );
    expect(() => decideAgentAction(appeal('objected'), agent('a'), 'reopen', 3, now, fourEyes)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(decideAgentAction(appeal('objected'), agent('a', 'supervisor'), 'reopen', 3, now, fourEyes)).toMatchObject({ to: 'submitted' });
  });

  it('lists the actions a role may take in each state', () => {
    const held = appeal('in_review', { leaseAgentId: 'a', leaseExpiresAt: later });
    expect(allowedAgentActions(held, agent('a'), now, fourEyes)).toEqual(['claim', 'release', 'note', 'request_info', 'approve', 'reject']);
    expect(allowedAgentActions(held, agent('b'), now, fourEyes)).toEqual(['note']);
    expect(allowedAgentActions(held, agent('s', 'supervisor'), now, fourEyes)).toEqual(['takeover', 'note']);
    expect(allowedAgentActions(appeal('submitted'), agent('b'), now, fourEyes)).toEqual(['claim', 'note']);
    expect(allowedAgentActions(appeal('pending_second_approval', { approvedBy: 's' }), agent('s', 'supervisor'), now, fourEyes)).toEqual([
      'note',
    ]);
    expect(allowedAgentActions(appeal('pending_second_approval', { approvedBy: 'a' }), agent('s', 'supervisor'), now, fourEyes)).toEqual([
      'note',
      'second_approve',
      'reject',
    ]);
  });

  it('refuses four eyes to an agent the approver made, or whose role is younger than the approval', () => {
    const pending = appeal('pending_second_approval', { approvedBy: 'admin', approvedAt: earlier });
    const confirm = (grant: RoleGrant) => () =>
      decideAgentAction(pending, agent('s2', 'supervisor', grant), 'second_approve', 3, now, fourEyes);
    expect(confirm({ by: null, approvedBy: null, at: longAgo })()).toMatchObject({ to: 'scheduled' });
    expect(confirm({ by: 'other-admin', approvedBy: 'third-admin', at: longAgo })()).toMatchObject({ to: 'scheduled' });
    expect(confirm({ by: 'admin', approvedBy: 'other-admin', at: longAgo })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(confirm({ by: 'other-admin', approvedBy: 'admin', at: longAgo })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(confirm({ by: null, approvedBy: null, at: now })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    // The confirming supervisor's refusal is four eyes too.
    expect(() =>
      decideAgentAction(pending, agent('s2', 'supervisor', { by: 'admin', approvedBy: null, at: longAgo }), 'reject', 3, now, fourEyes),
    ).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => decideAgentAction(pending, { id: 's2', role: 'supervisor' }, 'second_approve', 3, now, fourEyes)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
  });

  it('has no transition out of a closed status but notes and the reopening of an objected appeal', () => {
    const leaving = AGENT_TRANSITIONS.filter(
      (transition) =>
        ['completed', 'rejected', 'cancelled', 'expired', 'objected'].includes(transition.from) && transition.action !== 'note',
    );
    expect(leaving.map((transition) => `${transition.from}:${transition.action}`)).toEqual(['objected:reopen']);
  });
});

describe('decidePartyAction', () => {
  it('lets the person cancel until the change is applied, and answers APPEAL_CLOSED after', () => {
    for (const status of ['submitted', 'in_review', 'awaiting_customer', 'pending_second_approval', 'scheduled'] as const)
      expect(decidePartyAction({ status }, 'customer', 'cancel')).toBe('cancelled');
    for (const status of ['completed', 'rejected', 'cancelled', 'objected', 'expired'] as const) {
      expect(() => decidePartyAction({ status }, 'customer', 'cancel')).toThrow(expect.objectContaining({ code: 'APPEAL_CLOSED' }));
    }
  });

  it("takes objections and the owner's stop at any open status, expiry only of unanswered ones, completion only of scheduled ones", () => {
    expect(decidePartyAction({ status: 'scheduled' }, 'former_contact', 'object')).toBe('objected');
    // The link of the alert at filing works before any approval.
    expect(decidePartyAction({ status: 'submitted' }, 'former_contact', 'object')).toBe('objected');
    expect(decidePartyAction({ status: 'pending_second_approval' }, 'owner', 'stop')).toBe('objected');
    for (const closed of ['completed', 'rejected', 'cancelled', 'objected', 'expired'] as const) {
      expect(() => decidePartyAction({ status: closed }, 'former_contact', 'object')).toThrow(
        expect.objectContaining({ code: 'TRANSITION_NOT_ALLOWED' }),
      );
      expect(() => decidePartyAction({ status: closed }, 'owner', 'stop')).toThrow(
        expect.objectContaining({ code: 'TRANSITION_NOT_ALLOWED' }),
      );
    }
    expect(decidePartyAction({ status: 'awaiting_customer' }, 'system', 'expire')).toBe('expired');
    expect(decidePartyAction({ status: 'awaiting_customer' }, 'customer', 'reply')).toBe('in_review');
    expect(() => decidePartyAction({ status: 'completed' }, 'system', 'complete')).toThrow(
      expect.objectContaining({ code: 'TRANSITION_NOT_ALLOWED' }),
    );
  });
});
