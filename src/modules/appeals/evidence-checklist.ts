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

/** Facts only the account's owner would know, which agents check against what the product does not keep itself. */
export const OWNER_FACTS = ['idDocument', 'lastPayment', 'resourceIds', 'usualRegion'] as const;
export type OwnerFact = (typeof OWNER_FACTS)[number];
/** An agent's verdict on an owner fact, after checking it (an unchecked fact is `unknown`). */
export type FactCheck = 'match' | 'mismatch';
export type FactChecks = Partial<Record<OwnerFact, FactCheck>>;

export interface ClaimedFacts {
  readonly claimedUid: string | null;
  readonly claimedEmail: string | null;
  readonly claimedPhone: string | null;
  readonly contactEmail: string;
  readonly evidence: AppealEvidence;
  /** What agents found when they checked the owner facts the person gave. */
  readonly factChecks?: FactChecks | null;
}

/**
 * Points per fact; they add up to 100. Identifiers (UID, logon email, secure phone, name, the
 * contact address) are what an attacker typically knows already: they appear on invoices,
 * in leaked lists, in the owner's mailbox; together they are worth 20, never enough for the
 * threshold. Facts only the owner would know (an identity document, the last payment, the
 * resources they run, where they usually sign in from) are worth 80, once an agent has checked
 * them against the billing and resource records and the documents attached. docs/appeals.md
 * says why.
 */
export const EVIDENCE_WEIGHTS = {
  uid: 4,
  logonEmail: 4,
  securePhone: 4,
  fullName: 3,
  contactEmail: 5,
  idDocument: 25,
  lastPayment: 25,
  resourceIds: 20,
  usualRegion: 10,
} as const;

/** Each owner fact: the structured fields that give it, and what an agent checks it against. */
const OWNER_FACT_SOURCES: Record<OwnerFact, { fields: readonly (keyof AppealEvidence)[]; checkedAgainst: string }> = {
  idDocument: {
    fields: ['idDocumentType', 'idDocumentLast4'],
    checkedAgainst: 'the identity document attached and the name on the account, checked by an agent',
  },
  lastPayment: { fields: ['lastPaymentAmount', 'lastPaymentDate'], checkedAgainst: "the account's billing records, checked by an agent" },
  resourceIds: { fields: ['resourceIds'], checkedAgainst: "the account's resource inventory, checked by an agent" },
  usualRegion: { fields: ['usualRegion'], checkedAgainst: "the regions of the account's sign-ins and resources, checked by an agent" },
};

/** The owner facts the person gave (an agent may check only these). */
export function ownerFactsGiven(evidence: AppealEvidence): OwnerFact[] {
  return OWNER_FACTS.filter((fact) =>
    OWNER_FACT_SOURCES[fact].fields.some((field) => evidence[field] !== undefined && evidence[field] !== ''),
  );
}

/**
 * Each fact the person gave, compared with the account's records:
 * - `account.uid`: the account's UID;
 * - `account.logonEmail`: its logon email and every former one (case-insensitive);
 * - `account.securePhone`: its secure phone and every former one;
 * - `evidence.fullName`: its display name (case and spacing ignored); `unknown` when it has none;
 * - `contactEmail`: a match when it is (or was) the account's logon email, else `unknown` (a new
 *   address is expected of someone who lost theirs, so it is never a mismatch);
 * - the owner facts (`evidence.idDocument`, `evidence.lastPayment`, `evidence.resourceIds`,
 *   `evidence.usualRegion`), given: the agents' check, `unknown` until one is recorded.
 * Without an account (unmatched or ambiguous) everything is `unknown`. Score: the weights of
 * the matches less those of the mismatches, within 0-100.
 */
export function evidenceChecklist(claimed: ClaimedFacts, account: AccountRecords | null): EvidenceChecklist {
  const items: ChecklistItem[] = [];
  const compare = (fact: string, weight: number, comparedWith: string, verdict: () => FactVerdict) =>
    items.push({ fact, weight, comparedWith, verdict: account ? verdict() : 'unknown' });
  const emails = account ? [account.logonEmail, ...account.formerLogonEmails].map((email) => email.toLowerCase()) : [];
  const phones = account ? [account.securePhone, ...account.formerSecurePhones].filter((phone): phone is string => phone !== null) : [];

  if (claimed.claimedUid)
    compare('account.uid', EVIDENCE_WEIGHTS.uid, "the account's UID", () => (claimed.claimedUid === account!.uid ? 'match' : 'mismatch'));
  if (claimed.claimedEmail) {
    compare('account.logonEmail', EVIDENCE_WEIGHTS.logonEmail, "the account's logon email, current and former", () =>
      emails.includes(claimed.claimedEmail!.toLowerCase()) ? 'match' : 'mismatch',
    );
  }
  if (claimed.claimedPhone) {
    compare('account.securePhone', EVIDENCE_WEIGHTS.securePhone, "the account's secure phone, current and former", () =>
      phones.includes(claimed.claimedPhone!) ? 'match' : 'mismatch',
    );
  }
  compare('evidence.fullName', EVIDENCE_WEIGHTS.fullName, "the account's display name", () => {
    if (!account!.displayName) return 'unknown';
    return comparableName(account!.displayName) === comparableName(claimed.evidence.fullName) ? 'match' : 'mismatch';
  });
  compare('contactEmail', EVIDENCE_WEIGHTS.contactEmail, "the account's logon email, current and former", () =>
    emails.includes(claimed.contactEmail.toLowerCase()) ? 'match' : 'unknown',
  );
  for (const fact of ownerFactsGiven(claimed.evidence)) {
    compare(
      `evidence.${fact}`,
      EVIDENCE_WEIGHTS[fact],
      OWNER_FACT_SOURCES[fact].checkedAgainst,
      () => claimed.factChecks?.[fact] ?? 'unknown',
    );
  }

  const points = items.reduce(
    (sum, item) => sum + (item.verdict === 'match' ? item.weight : item.verdict === 'mismatch' ? -item.weight : 0),
    0,
  );
  return { items, score: Math.max(0, Math.min(100, points)) };
}

function comparableName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}
