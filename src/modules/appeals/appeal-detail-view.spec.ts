import { AGENT_ACTIONS } from './appeal-workflow';
import { formatDuration } from '../../common/views/formats';
import { ACTION_SPECS, factLabel, slaBadge } from './appeal-detail-view';

describe('appeal detail view', () => {
  describe(slaBadge.name, () => {
    const now = new Date('2026-11-22T12:00:00Z');
    const at = (hours: number) => new Date(now.getTime() + hours * 3_600_000);

    it('calls breached what the job flagged or what is past its deadline', () => {
      expect(slaBadge({ breached: true, firstResponseDueAt: null, resolutionDueAt: at(10) }, now)).toMatchObject({
        label: 'SLA breached',
        tone: 'danger',
      });
      expect(slaBadge({ breached: false, firstResponseDueAt: at(-1), resolutionDueAt: at(10) }, now)).toEqual({
        label: 'SLA breached',
        tone: 'danger',
        detail: 'first response was due 2026-11-22 11:00 UTC',
      });
    });

    it('calls due soon a deadline within four hours, and shows the next one otherwise', () => {
      expect(slaBadge({ breached: false, firstResponseDueAt: at(3.5), resolutionDueAt: at(60) }, now)).toEqual({
        label: 'Due soon',
        tone: 'warning',
        detail: 'first response due 2026-11-22 15:30 UTC (in 3 h 30 min)',
      });
      expect(slaBadge({ breached: false, firstResponseDueAt: null, resolutionDueAt: at(30) }, now)).toEqual({
        label: '',
        tone: 'neutral',
        detail: 'resolution due 2026-11-23 18:00 UTC',
      });
      expect(slaBadge({ breached: false, firstResponseDueAt: null, resolutionDueAt: null }, now)).toBeNull();
    });
  });

  it(`${formatDuration.name} reads like people write it`, () => {
    expect([0, 59_000, 45 * 60_000, 3 * 3_600_000, 200 * 60_000, 50 * 3_600_000, 72 * 3_600_000].map(formatDuration)).toEqual([
      '0 min',
      '1 min',
      '45 min',
      '3 h',
      '3 h 20 min',
      '2 d 2 h',
      '3 d',
    ]);
  });

  it('names every agent action as docs/api.md does, each on its own path', () => {
    expect(AGENT_ACTIONS.map((action) => [ACTION_SPECS[action].path, ACTION_SPECS[action].label])).toEqual([
      ['claim', 'Claim'],
      ['release', 'Release'],
      ['takeover', 'Take over'],
      ['notes', 'Add note'],
      ['request-info', 'Request information'],
      ['approve', 'Approve'],
      ['second-approve', 'Confirm approval'],
      ['reject', 'Reject'],
      ['reopen', 'Reopen'],
      // A supervisor's decision on a recorded objection (beyond api.md's table, which has none for it).
      ['uphold-objection', 'Uphold objection'],
      ['dismiss-objection', 'Dismiss objection'],
    ]);
  });

  it(`${factLabel.name} names the checklist's facts in words`, () => {
    expect(
      [
        'account.uid',
        'account.logonEmail',
        'account.securePhone',
        'evidence.fullName',
        'contactEmail',
        'evidence.idDocument',
        'evidence.lastPayment',
        'evidence.resourceIds',
        'evidence.usualRegion',
      ].map(factLabel),
    ).toEqual([
      'UID',
      'Logon email',
      'Secure phone',
      'Full name',
      'Contact email',
      'Identity document',
      'Last payment',
      'Resource IDs',
      'Usual region',
    ]);
    expect(factLabel('evidence.somethingNew')).toBe('evidence.somethingNew');
  });
});
