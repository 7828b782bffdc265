import type { AppealEvidence } from './entities/appeal.entity';

export type FactVerdict = 'match' | 'mismatch' | 'unknown';

export interface ChecklistItem {
  /** The fact, by its docs/api.md name (`account.uid`, `evidence.fullName`, ...). */
  readonly fact: string;
  readonly verdict: FactVerdict;
  /** What it was compared with, in words for the agent. */
  readonly comparedWith: string;
  /** Points it adds to the score on a match, and takes away on a mismatch. */
  readonly weight: number;
}

export interface EvidenceChecklist {
  readonly items: ChecklistItem[];
  /** 0-100. */
  readonly score: number;
}

/** What the product keeps of an account that a person's facts can be compared with. */
export interface AccountRecords {
  readonly uid: string;
  readonly logonEmail: string;
  readonly securePhone: string | null;
  readonly displayName: string | null;
  readonly formerLogonEmails: readonly string[];
  readonly formerSecurePhones: readonly string[];
}

export interface ClaimedFacts {
  readonly claimedUid: string | null;
  readonly claimedEmail: string | null;
  readonly claimedPhone: string | null;
  readonly contactEmail: string;
  readonly evidence: AppealEvidence;
}

/**
 * Points per fact; they add up to 100. The identifiers weigh most: knowing a UID, a logon email
 * and a secure phone the account has had is hard for anyone but its owner.
 */
export const EVIDENCE_WEIGHTS = { uid: 25, logonEmail: 25, securePhone: 25, fullName: 15, contactEmail: 10 } as const;

/**
 * Facts the product keeps no record of (no identity documents, no billing, no resource
 * inventory, no location of sign-ins): always `unknown`, worth nothing to the score, shown so
 * the agent knows to judge them from the attachments and the description.
 */
const UNRECORDED: readonly { fact: keyof AppealEvidence; about: string }[] = [
  { fact: 'idDocumentType', about: 'identity documents' },
  { fact: 'idDocumentLast4', about: 'identity documents' },
  { fact: 'lastPaymentAmount', about: 'payments' },
  { fact: 'lastPaymentDate', about: 'payments' },
  { fact: 'resourceIds', about: 'cloud resources' },
  { fact: 'usualRegion', about: 'where sign-ins come from' },
];

/**
 * Each fact the person gave, compared with the account's records:
 * - `account.uid`: the account's UID;
 * - `account.logonEmail`: its logon email and every former one (case-insensitive);
 * - `account.securePhone`: its secure phone and every former one;
 * - `evidence.fullName`: its display name (case and spacing ignored); `unknown` when it has none;
 * - `contactEmail`: a match when it is (or was) the account's logon email, else `unknown` (a new
 *   address is expected of someone who lost theirs, so it is never a mismatch);
 * - the structured facts of UNRECORDED: `unknown`.
 * Without an account (unmatched or ambiguous) everything is `unknown`. Score: the weights of
 * the matches less those of the mismatches, within 0-100.
 */
export function evidenceChecklist(claimed: ClaimedFacts, account: AccountRecords | null): EvidenceChecklist {
  const items: ChecklistItem[] = [];
  const compare = (fact: string, weight: number, comparedWith: string, verdict: () => FactVerdict) =>
    items.push({ fact, weight, comparedWith, verdict: account ? verdict() : 'unknown' });
  const emails = account ? [account.logonEmail, ...account.formerLogonEmails].map((email) => email.toLowerCase()) : [];
  const phones = account ? [account.securePhone, ...account.formerSecurePhones].filter((phone): phone is string => phone !== null) : [];

  if (claimed.claimedUid) compare('account.uid', EVIDENCE_WEIGHTS.uid, "the account's UID", () => (claimed.claimedUid === account!.uid ? 'match' : 'mismatch'));
  if (claimed.claimedEmail) {
    compare('account.logonEmail', EVIDENCE_WEIGHTS.logonEmail, "the account's logon email, current and former", () => (emails.includes(claimed.claimedEmail!.toLowerCase()) ? 'match' : 'mismatch'));
  }
  if (claimed.claimedPhone) {
    compare('account.securePhone', EVIDENCE_WEIGHTS.securePhone, "the account's secure phone, current and former", () => (phones.includes(claimed.claimedPhone!) ? 'match' : 'mismatch'));
  }
  compare('evidence.fullName', EVIDENCE_WEIGHTS.fullName, "the account's display name", () => {
    if (!account!.displayName) return 'unknown';
    return comparableName(account!.displayName) === comparableName(claimed.evidence.fullName) ? 'match' : 'mismatch';
  });
  compare('contactEmail', EVIDENCE_WEIGHTS.contactEmail, "the account's logon email, current and former", () => (emails.includes(claimed.contactEmail.toLowerCase()) ? 'match' : 'unknown'));
  for (const { fact, about } of UNRECORDED) {
    if (claimed.evidence[fact] !== undefined) items.push({ fact: `evidence.${fact}`, weight: 0, comparedWith: `nothing: the product keeps no record of ${about}`, verdict: 'unknown' });
  }

  const points = items.reduce((sum, item) => sum + (item.verdict === 'match' ? item.weight : item.verdict === 'mismatch' ? -item.weight : 0), 0);
  return { items, score: Math.max(0, Math.min(100, points)) };
}

function comparableName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}
