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

describe('slaOnTransition in business hours', () => {
  const business = {
    ...sla,
    hours: { days: [1, 2, 3, 4, 5], startMinute: 9 * 60, endMinute: 18 * 60, zone: 'Asia/Shanghai', holidays: ['2026-12-14'] },
  };
  const friday = new Date('2026-12-11T17:00:00+08:00');

  it('sets the deadlines in working hours, over the weekend and a holiday', () => {
    // 1 h Friday, Monday 14 December a holiday, 9 h each from Tuesday: 24 h end Thursday 14:00; 72 h end Thursday of the next week 17:00.
    expect(slaAtFiling(friday, business)).toMatchObject({
      firstResponseDueAt: new Date('2026-12-17T14:00:00+08:00'),
      resolutionDueAt: new Date('2026-12-24T17:00:00+08:00'),
    });
  });

  it('pauses the resolution clock for the working hours spent awaiting the customer only', () => {
    const appeal: SlaFields = {
      createdAt: friday,
      firstResponseAt: friday,
      firstResponseDueAt: null,
      resolutionDueAt: null,
      resolutionBreachedAt: null,
      slaPausedMs: 0,
      slaBreached: false,
      // Asked Friday 17:30, answered Saturday: half an hour of working time waited.
      awaitingSince: new Date('2026-12-11T17:30:00+08:00'),
      reminderSentAt: null,
      resolvedAt: null,
      closedAt: null,
    };
    const patch = slaOnTransition(appeal, 'awaiting_customer', 'in_review', new Date('2026-12-12T10:00:00+08:00'), business, false);
    expect(patch).toMatchObject({ slaPausedMs: HOUR / 2, resolutionDueAt: new Date('2026-12-24T17:30:00+08:00') });
  });
});
