/**
 * The risks an appeal can carry beside its evidence score (docs/appeals.md, "Evidence signals").
 * Each is stored with the reason agents read; any of them makes an approval need a rationale.
 */
export const RISK_SIGNALS = [
  'duplicate_evidence',
  'edited_image',
  'disposable_contact',
  'new_network',
  'repeat_filer',
  'recent_contact_change',
] as const;
export type RiskSignal = (typeof RISK_SIGNALS)[number];

export function isRiskSignal(value: string): value is RiskSignal {
  return (RISK_SIGNALS as readonly string[]).includes(value);
}

/** What was found: the reason in words, and the appeals it links to (the other appeals of a duplicate or of a repeat filer). */
export interface RiskFinding {
  readonly reason: string;
  /** References of the other appeals concerned, when there are any. */
  readonly appeals?: string[];
  /** When it was (last) found, ISO 8601. */
  readonly at: string;
}

export type RiskSignals = Partial<Record<RiskSignal, RiskFinding>>;

/** How the back-office names each signal. */
export const RISK_LABELS: Record<RiskSignal, string> = {
  duplicate_evidence: 'Duplicate evidence',
  edited_image: 'Edited image',
  disposable_contact: 'Disposable contact',
  new_network: 'New network',
  repeat_filer: 'Repeat filer',
  recent_contact_change: 'Recent contact change',
};

/** The signals of an appeal, in the fixed order above. */
export function signalsOf(signals: RiskSignals | null | undefined): RiskSignal[] {
  return RISK_SIGNALS.filter((signal) => signals?.[signal] !== undefined);
}
