import { AccountRecords, EVIDENCE_WEIGHTS, evidenceChecklist } from './evidence-checklist';

const account: AccountRecords = {
  uid: '2081536794412356',
  logonEmail: 'new@example.com',
  securePhone: '+8613800000000',
  displayName: 'Ada  Lovelace',
  formerLogonEmails: ['Ada@Example.com'],
  formerSecurePhones: ['+8613811111111'],
};
const claim = (extra: Partial<Parameters<typeof evidenceChecklist>[0]> = {}) => ({
  claimedUid: null,
  claimedEmail: null,
  claimedPhone: null,
  contactEmail: 'elsewhere@example.com',
  evidence: { fullName: 'ada lovelace', description: 'x' },
  ...extra,
});

describe('evidenceChecklist', () => {
  it('matches identifiers against current and former contacts, and the name against the display name', () => {
    const result = evidenceChecklist(
      claim({ claimedUid: account.uid, claimedEmail: 'ada@example.com', claimedPhone: '+8613811111111' }),
      account,
    );
    expect(result.items.map((item) => [item.fact, item.verdict])).toEqual([
      ['account.uid', 'match'],
      ['account.logonEmail', 'match'],
      ['account.securePhone', 'match'],
      ['evidence.fullName', 'match'],
      ['contactEmail', 'unknown'],
    ]);
    // Everything an attacker who read the owner's invoices or mailbox knows: never near the threshold of 60.
    expect(result.score).toBe(15);
  });

  it('weighs the owner facts, once an agent checked them, far above the identifiers', () => {
    const facts = {
      fullName: 'ada lovelace',
      description: 'x',
      idDocumentType: 'passport',
      idDocumentLast4: '1234',
      lastPaymentAmount: '12.00',
      lastPaymentDate: '2026-11-01',
      resourceIds: ['i-1'],
      usualRegion: 'cn-hangzhou',
    };
    const identifiers = {
      claimedUid: account.uid,
      claimedEmail: 'ada@example.com',
      claimedPhone: '+8613811111111',
      contactEmail: 'ada@example.com',
    };
    const unchecked = evidenceChecklist(claim({ ...identifiers, evidence: facts }), account);
    expect(unchecked.score).toBe(20);
    expect(
      unchecked.items
        .filter((item) => item.fact.startsWith('evidence.') && item.fact !== 'evidence.fullName')
        .map((item) => [item.fact, item.verdict, item.weight]),
    ).toEqual([
      ['evidence.idDocument', 'unknown', 25],
      ['evidence.lastPayment', 'unknown', 25],
      ['evidence.resourceIds', 'unknown', 20],
      ['evidence.usualRegion', 'unknown', 10],
    ]);
    const owner = evidenceChecklist(
      claim({ evidence: facts, factChecks: { idDocument: 'match', lastPayment: 'match', resourceIds: 'match' } }),
      account,
    );
    expect(owner.score).toBe(73);
    const guessed = evidenceChecklist(
      claim({ ...identifiers, evidence: facts, factChecks: { lastPayment: 'mismatch', resourceIds: 'mismatch' } }),
      account,
    );
    expect(guessed.score).toBe(0);
    expect(Object.values(EVIDENCE_WEIGHTS).reduce((sum, weight) => sum + weight, 0)).toBe(100);
  });

  it('takes points away for mismatches and never goes below 0 or above 100', () => {
    expect(
      evidenceChecklist(claim({ claimedPhone: '+8613899999999', evidence: { fullName: 'Someone Else', description: 'x' } }), account).score,
    ).toBe(0);
    expect(
      evidenceChecklist(
        claim({
          claimedUid: account.uid,
          claimedEmail: 'new@example.com',
          claimedPhone: '+8613800000000',
          contactEmail: 'ada@example.com',
        }),
        account,
      ).score,
    ).toBe(20);
  });

  it('says unknown for owner facts nobody checked yet, and for everything without an account', () => {
    const facts = {
      fullName: 'Ada',
      description: 'x',
      idDocumentType: 'passport',
      lastPaymentAmount: '12.00',
      resourceIds: ['i-1'],
      usualRegion: 'cn-hangzhou',
    };
    const result = evidenceChecklist(claim({ evidence: facts }), { ...account, displayName: null });
    expect(result.items.filter((item) => item.fact !== 'contactEmail').map((item) => [item.fact, item.verdict, item.weight])).toEqual([
      ['evidence.fullName', 'unknown', 3],
      ['evidence.idDocument', 'unknown', 25],
      ['evidence.lastPayment', 'unknown', 25],
      ['evidence.resourceIds', 'unknown', 20],
      ['evidence.usualRegion', 'unknown', 10],
    ]);
    const none = evidenceChecklist(claim({ claimedUid: account.uid }), null);
    expect(none.items.every((item) => item.verdict === 'unknown')).toBe(true);
    expect(none.score).toBe(0);
  });
});
