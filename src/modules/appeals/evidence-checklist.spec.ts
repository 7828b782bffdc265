import { AccountRecords, evidenceChecklist } from './evidence-checklist';

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
    const result = evidenceChecklist(claim({ claimedUid: account.uid, claimedEmail: 'ada@example.com', claimedPhone: '+8613811111111' }), account);
    expect(result.items.map((item) => [item.fact, item.verdict])).toEqual([
      ['account.uid', 'match'],
      ['account.logonEmail', 'match'],
      ['account.securePhone', 'match'],
      ['evidence.fullName', 'match'],
      ['contactEmail', 'unknown'],
    ]);
    expect(result.score).toBe(90);
  });

  it('takes points away for mismatches and never goes below 0 or above 100', () => {
    expect(evidenceChecklist(claim({ claimedPhone: '+8613899999999', evidence: { fullName: 'Someone Else', description: 'x' } }), account).score).toBe(0);
    expect(
      evidenceChecklist(claim({ claimedUid: account.uid, claimedEmail: 'new@example.com', claimedPhone: '+8613800000000', contactEmail: 'ada@example.com' }), account).score,
    ).toBe(100);
  });

  it('says unknown where the product keeps no record, and for everything without an account', () => {
    const facts = { fullName: 'Ada', description: 'x', idDocumentType: 'passport', lastPaymentAmount: '12.00', resourceIds: ['i-1'], usualRegion: 'cn-hangzhou' };
    const result = evidenceChecklist(claim({ evidence: facts }), { ...account, displayName: null });
    expect(result.items.filter((item) => item.fact !== 'contactEmail').map((item) => [item.fact, item.verdict, item.weight])).toEqual([
      ['evidence.fullName', 'unknown', 15],
      ['evidence.idDocumentType', 'unknown', 0],
      ['evidence.lastPaymentAmount', 'unknown', 0],
      ['evidence.resourceIds', 'unknown', 0],
      ['evidence.usualRegion', 'unknown', 0],
    ]);
    const none = evidenceChecklist(claim({ claimedUid: account.uid }), null);
    expect(none.items.every((item) => item.verdict === 'unknown')).toBe(true);
    expect(none.score).toBe(0);
  });
});
