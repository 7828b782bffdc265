import { SlaFields, slaAtFiling, slaOnTransition } from './appeal-sla';

const HOUR = 3_600_000;
const sla = { firstResponseMs: 24 * HOUR, resolutionMs: 72 * HOUR };
const filed = new Date('2026-11-01T00:00:00.000Z');
const at = (hours: number) => new Date(filed.getTime() + hours * HOUR);

function fresh(): SlaFields {
  return {
    createdAt: filed,
    firstResponseAt: null,
    resolutionBreachedAt: null,
    awaitingSince: null,
    reminderSentAt: null,
    resolvedAt: null,
    closedAt: null,
    ...(slaAtFiling(filed, sla) as Pick<SlaFields, 'firstResponseDueAt' | 'resolutionDueAt' | 'slaPausedMs' | 'slaBreached'>),
  };
}

describe('slaOnTransition', () => {
  it('sets both deadlines at filing', () => {
    expect(slaAtFiling(filed, sla)).toEqual({ firstResponseDueAt: at(24), resolutionDueAt: at(72), slaPausedMs: 0, slaBreached: false });
  });

  it('meets the first response with the first answer the person sees, not with a claim', () => {
    expect(slaOnTransition(fresh(), 'submitted', 'in_review', at(1), sla, false)).toEqual({});
    expect(slaOnTransition(fresh(), 'in_review', 'awaiting_customer', at(2), sla, true)).toMatchObject({
      firstResponseAt: at(2),
      firstResponseDueAt: null,
    });
  });

  it('stops the resolution clock while awaiting the customer and shifts it by the wait', () => {
    const waiting = { ...fresh(), ...slaOnTransition(fresh(), 'in_review', 'awaiting_customer', at(10), sla, true) } as SlaFields;
    expect(waiting).toMatchObject({ awaitingSince: at(10), resolutionDueAt: null, reminderSentAt: null });
    expect(slaOnTransition(waiting, 'awaiting_customer', 'in_review', at(58), sla, false)).toEqual({
      slaPausedMs: 48 * HOUR,
      awaitingSince: null,
      resolutionDueAt: at(72 + 48),
    });
  });

  it('meets the resolution with a decision and closes every clock when the appeal closes', () => {
    expect(slaOnTransition(fresh(), 'pending_second_approval', 'scheduled', at(30), sla, true)).toMatchObject({
      resolvedAt: at(30),
      resolutionDueAt: null,
      slaBreached: false,
    });
    const cancelled = slaOnTransition(fresh(), 'submitted', 'cancelled', at(3), sla, false);
    expect(cancelled).toMatchObject({ closedAt: at(3), firstResponseDueAt: null, resolutionDueAt: null });
    expect(cancelled).not.toHaveProperty('resolvedAt');
  });

  it('starts a new resolution clock when an objected appeal is reopened', () => {
    const objected = { ...fresh(), closedAt: at(40), resolvedAt: at(30), resolutionDueAt: null, resolutionBreachedAt: at(20) };
    expect(slaOnTransition(objected, 'objected', 'submitted', at(50), sla, false)).toEqual({
      slaPausedMs: 50 * HOUR,
      resolutionDueAt: at(50 + 72),
      resolutionBreachedAt: null,
      resolvedAt: null,
      closedAt: null,
    });
  });
});
