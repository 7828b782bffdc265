import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import type { AppealStatus } from '../appeal-workflow';
import { Locale } from '../../../common/locales';
import type { FactChecks } from '../evidence-checklist';
import type { RiskSignals } from '../risk/risk-signals';

/** The `changes` of a filing, as filed (docs/api.md names). */
export interface RequestedChanges {
  readonly logonEmail?: string;
  readonly securePhone?: string;
  readonly resetPassword?: boolean;
  readonly disableTotp?: boolean;
}

/** The `evidence` of a filing: the person's own words and the optional structured facts. */
export interface AppealEvidence {
  readonly fullName: string;
  readonly description: string;
  readonly idDocumentType?: string;
  readonly idDocumentLast4?: string;
  /** A decimal string, such as `"129.90"`. */
  readonly lastPaymentAmount?: string;
  /** `YYYY-MM-DD`. */
  readonly lastPaymentDate?: string;
  readonly resourceIds?: string[];
  readonly usualRegion?: string;
}

/**
 * `matched`: the identifiers typed point to exactly one account. `unmatched`: to none.
 * `ambiguous`: to several, or to different accounts. Agents see the last two flagged; only a
 * matched appeal can be approved.
 */
export type AccountMatch = 'matched' | 'unmatched' | 'ambiguous';

/**
 * An appeal of someone who can no longer verify their identity. `version` grows with every
 * change, so an agent's action on a page they loaded earlier is refused (409) instead of
 * applied to something they did not see. SLA columns: a due time is null once met or while
 * its clock is paused (awaiting the customer).
 */
@Entity({ name: 'appeals' })
@Check('appeals_version_check', `"version" > 0`)
@Check('appeals_reference_check', `"reference" ~ '^AP-[A-Z2-7]{10}$'`)
@Check(
  'appeals_status_check',
  `"status" IN ('submitted', 'in_review', 'awaiting_customer', 'pending_second_approval', 'scheduled', 'completed', 'rejected', 'cancelled', 'objected', 'expired')`,
)
@Check('appeals_account_match_check', `"account_match" IN ('matched', 'unmatched', 'ambiguous')`)
// Every query the queue, the limits and the scheduled jobs run has its index; partial and
// expression indexes are declared in the migration.
@Index('appeals_queue_idx', ['createdAt', 'id'])
@Index('appeals_status_queue_idx', ['status', 'createdAt', 'id'])
@Index('appeals_open_queue_idx', { synchronize: false })
@Index('appeals_breached_queue_idx', { synchronize: false })
@Index('appeals_lease_queue_idx', { synchronize: false })
@Index('appeals_contact_email_idx', { synchronize: false })
@Index('appeals_claimed_email_idx', { synchronize: false })
@Index('appeals_claimed_uid_idx', ['claimedUid', 'createdAt'])
@Index('appeals_claimed_phone_idx', ['claimedPhone', 'createdAt'])
@Index('appeals_account_uid_idx', ['accountUid', 'createdAt'])
@Index('appeals_filed_ip_idx', ['filedIp', 'createdAt'])
@Index('appeals_due_idx', { synchronize: false })
@Index('appeals_awaiting_idx', { synchronize: false })
@Index('appeals_first_response_due_idx', { synchronize: false })
@Index('appeals_resolution_due_idx', { synchronize: false })
@Index('appeals_purge_idx', { synchronize: false })
@Index('appeals_first_response_at_idx', { synchronize: false })
@Index('appeals_resolved_at_idx', { synchronize: false })
@Index('appeals_first_response_breached_idx', { synchronize: false })
@Index('appeals_resolution_breached_idx', { synchronize: false })
@Index('appeals_flood_queue_idx', { synchronize: false })
@Index('appeals_risk_duplicate_evidence_idx', { synchronize: false })
@Index('appeals_risk_edited_image_idx', { synchronize: false })
@Index('appeals_risk_disposable_contact_idx', { synchronize: false })
@Index('appeals_risk_new_network_idx', { synchronize: false })
@Index('appeals_risk_repeat_filer_idx', { synchronize: false })
@Index('appeals_risk_recent_contact_change_idx', { synchronize: false })
@Index('appeals_open_deadline_idx', { synchronize: false })
@Index('appeals_full_name_idx', { synchronize: false })
export class Appeal {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** `AP-` + 10 random base32 characters. */
  @Index('appeals_reference_key', { unique: true })
  @Column({ type: 'varchar', length: 13 })
  reference!: string;

  /** SHA-256 of the access token shown once at filing. */
  @Column({ type: 'char', length: 64 })
  accessTokenHash!: string;

  @Column({ type: 'varchar', length: 32 })
  status!: AppealStatus;

  @Column({ type: 'int' })
  version!: number;

  /** The verified contact email (normalised): every update goes there. */
  @Column({ type: 'varchar', length: 254 })
  contactEmail!: string;

  @Column({ type: 'varchar', length: 8 })
  locale!: Locale;

  /** The account identifiers as typed (normalised), whatever they match. */
  @Column({ type: 'char', length: 16, nullable: true })
  claimedUid!: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  claimedEmail!: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  claimedPhone!: string | null;

  @Column({ type: 'varchar', length: 10 })
  accountMatch!: AccountMatch;

  /** The account the identifiers point to, when they point to exactly one. */
  @Column({ type: 'char', length: 16, nullable: true })
  @ForeignKey('Account', { name: 'appeals_account_uid_fkey', onDelete: 'SET NULL' })
  accountUid!: string | null;

  @Column({ type: 'jsonb' })
  changes!: RequestedChanges;

  @Column({ type: 'jsonb' })
  evidence!: AppealEvidence;

  @Column({ type: 'varchar', length: 64, nullable: true })
  filedIp!: string | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey('Agent', { name: 'appeals_lease_agent_id_fkey' })
  leaseAgentId!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey('Agent', { name: 'appeals_approved_by_fkey' })
  approvedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  approvedAt!: Date | null;

  /** Required when the evidence score was below APPEAL_EVIDENCE_THRESHOLD. */
  @Column({ type: 'text', nullable: true })
  approvalRationale!: string | null;

  @Column({ type: 'int', nullable: true })
  evidenceScoreAtApproval!: number | null;

  @Column({ type: 'uuid', nullable: true })
  @ForeignKey('Agent', { name: 'appeals_confirmed_by_fkey' })
  confirmedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  confirmedAt!: Date | null;

  /** When the cooling-off ends and the change is applied. */
  @Column({ type: 'timestamptz', nullable: true })
  scheduledFor!: Date | null;

  /** The internal reason of a rejection (the person gets the message). */
  @Column({ type: 'text', nullable: true })
  rejectionReason!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  firstResponseDueAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  firstResponseAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  firstResponseBreachedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolutionDueAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolutionBreachedAt!: Date | null;

  /** Time spent awaiting the customer so far: the resolution clock does not run then. */
  @Column({ type: 'bigint', default: 0, transformer: { to: (value: number) => value, from: (value: string | number) => Number(value) } })
  slaPausedMs!: number;

  /** An open appeal past a deadline (set by the SLA job, cleared once resolved or closed). */
  @Column({ type: 'boolean', default: false })
  slaBreached!: boolean;

  /** Since when the appeal awaits the customer's answer. */
  @Column({ type: 'timestamptz', nullable: true })
  awaitingSince!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  reminderSentAt!: Date | null;

  /** When agents reached a decision (scheduled or rejected). */
  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  evidencePurgedAt!: Date | null;

  /** Filed for an identifier that then hit the limit of open appeals: flagged in the queue as a likely flood. */
  @Column({ type: 'boolean', default: false })
  flood!: boolean;

  /**
   * Set while an objection a supervisor must decide on (from a contact that replaced another
   * shortly before the filing) holds the appeal: it is not applied until then.
   */
  @Column({ type: 'timestamptz', nullable: true })
  objectionRecordedAt!: Date | null;

  /** What agents found when they checked the owner facts given (identity document, payment, resources, region); null before any check. */
  @Column({ type: 'jsonb', nullable: true })
  factChecks!: FactChecks | null;

  /** The evidence signals found at filing and at each upload, each with its reason; never removed once found. */
  @Column({ type: 'jsonb', default: {} })
  riskSignals!: RiskSignals;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}
