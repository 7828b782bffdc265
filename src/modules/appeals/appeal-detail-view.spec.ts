import { AGENT_ACTIONS } from './appeal-workflow';
import { formatDuration } from '../../common/views/formats';
import { ACTION_SPECS, appealDetailPage, AppealDetailView, factLabel, slaBadge } from './appeal-detail-view';

const NOW = new Date('2026-12-01T10:00:00Z');

/** An appeal in review, held by the agent, with every form the page can fold. */
function detail(overrides: Partial<AppealDetailView> = {}): AppealDetailView {
  return {
    reference: 'AP-QAAAAAAAAB',
    status: 'in_review',
    version: 4,
    createdAt: NOW,
    updatedAt: NOW,
    locale: 'en',
    maskedContactEmail: 'a***@example.com',
    accountMatch: 'matched',
    claimed: { uid: '1000000000000001', maskedLogonEmail: null, maskedSecurePhone: null },
    requestedChanges: { resetPassword: true, disableTotp: false },
    account: null,
    evidence: { fullName: 'Ada Lovelace', description: 'Lost my phone.' },
    checklist: { items: [], score: 70, threshold: 60, rationaleRequired: false },
    attachments: [],
    riskSignals: [],
    thread: [],
    notes: [],
    history: [],
    lease: null,
    approval: null,
    scheduledFor: null,
    factChecks: { allowed: false, given: [] },
    objectionRecordedAt: null,
    rejectionReason: null,
    sla: {
      firstResponseDueAt: null,
      firstResponseAt: null,
      firstResponseBreachedAt: null,
      resolutionDueAt: null,
      resolutionBreachedAt: null,
      breached: false,
    },
    evidencePurgedAt: null,
    actions: ['claim', 'release', 'note', 'request_info', 'approve', 'reject'],
    ...overrides,
  };
}

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

  describe(appealDetailPage.name, () => {
    const opened = (page: ReturnType<typeof appealDetailPage>) => page.actions.filter((form) => form.open).map((form) => form.action);

    it('folds the forms with fields, none open, and keeps the one-click actions as buttons', () => {
      const page = appealDetailPage(detail(), NOW);
      expect(page.actions.map((form) => [form.action, form.folded])).toEqual([
        ['claim', false],
        ['release', false],
        ['note', true],
        ['request_info', true],
        ['approve', true],
        ['reject', true],
      ]);
      expect(opened(page)).toEqual([]);
      expect(page.actions.every((form) => form.version === 4)).toBe(true);
      expect(page.actions.find((form) => form.action === 'approve')!.notice).toBeNull();
    });

    it('opens only the form a validation error came back for, else the one a chosen reply fills', () => {
      const replies = {
        offered: [{ id: 'r1', title: 'Invoice', text: 'Please send the invoice.' }],
        chosen: { action: 'reject', id: 'r1' },
      };
      expect(opened(appealDetailPage(detail(), NOW, { replies }))).toEqual(['reject']);
      const feedback = { action: 'note' as const, errors: { body: 'must not be empty' }, values: { body: '' } };
      expect(opened(appealDetailPage(detail(), NOW, { replies, feedback }))).toEqual(['note']);
      // A refused one-click action opens nothing.
      expect(
        opened(appealDetailPage(detail(), NOW, { feedback: { action: 'claim', errors: { version: 'is stale' }, values: {} } })),
      ).toEqual([]);
    });

    it('says before submitting why an approval needs a rationale', () => {
      const weak = appealDetailPage(detail({ checklist: { items: [], score: 35, threshold: 60, rationaleRequired: true } }), NOW);
      expect(weak.actions.find((form) => form.action === 'approve')!.notice).toBe(
        'This appeal cannot be approved without a rationale: the evidence score 35 is below the threshold of 60. Write why you approve it before you press Approve.',
      );
      const risky = appealDetailPage(
        detail({ riskSignals: [{ signal: 'disposable_contact', reason: 'Throw-away domain.', appeals: [] }] }),
        NOW,
      );
      expect(risky.actions.find((form) => form.action === 'approve')!.notice).toMatch(
        /^This appeal cannot be approved without a rationale: it carries a risk signal \(.+\)\. /,
      );
    });
  });
});
