/**
 * Every action the audit log records, like the template catalogue for messages: `AuditService.record`
 * accepts only these names, so a misspelt action fails to compile instead of starting a series of
 * its own that no page or query looks for. Names are dotted lower-case, `<subject>.<past tense>`.
 *
 * Grouped by the module that records them, one name a line: a new action goes into its module's
 * group (a new module adds a group of its own).
 */
export const AUDIT_ACTIONS = [
  // accounts: the account and its RAM users
  'account.created',
  'account.locale_changed',
  'account.preferences_changed',
  'ram_user.created',
  'account.frozen',

  // accounts: sign-in, sessions and devices
  'sign_in.succeeded',
  'sign_in.failed',
  'sign_in.refused',
  'sign_in.throttled',
  'session.minted',
  'session.revoked',
  'device.forgotten',
  'sign_in.method_switched',
  'totp.recovery_code_used',

  // accounts: passkeys
  'account.passkey_added',
  'account.passkey_renamed',
  'account.passkey_removed',
  'passkey.suspect',

  // accounts: the owner's shield (security activity, "this wasn't me", appeals against the account)
  'account.secured',
  'account.appeal_filed',
  'account.appeal_stopped',

  // accounts: changes of password, contacts and TOTP, and their "this wasn't me" reverts
  'account.password_changed',
  'account.logon_email_changed',
  'account.secure_phone_changed',
  'account.contact_change_cancelled',
  'account.totp_enabled',
  'account.totp_disabled',
  'account.change_reverted',

  // accounts: recovery
  'account.password_recovered',
  'recovery.failures_notified',
  'recovery.logon_email_reminded',

  // challenges: verification codes
  'challenge.created',
  'challenge.verified',
  'verification.locked',

  // notifications
  'notification.retried',

  // agents: the back-office's own accounts
  'agent.created',
  'agent.role_approved',
  'agent.role_changed',
  'agent.password_reset',
  'agent.reactivated',
  'agent.deactivated',
  'agent.password_changed',
  'agent.totp_enabled',
  'agent.passkey_added',
  'agent.passkey_removed',
  'agent.workload_changed',
  'agent.signed_in',
  'agent.signed_out',
  'agent.sign_in_failed',
  'agent.sign_in_locked',

  // appeals: what the person (or a former contact) does
  'appeal.filed',
  'appeal.access_token_reissued',
  'appeal.customer_message_added',
  'appeal.attachment_added',
  'appeal.customer_replied',
  'appeal.cancelled',
  'appeal.objection_recorded',
  'appeal.objected',
  'appeal.stopped_by_owner',
  'appeal.owner_stop_recorded',

  // appeals: what agents do (the review's actions, and the sensitive reads)
  'appeal.claimed',
  'appeal.assigned',
  'appeal.released',
  'appeal.taken_over',
  'appeal.note_added',
  'appeal.facts_checked',
  'appeal.info_requested',
  'appeal.approved',
  'appeal.approval_confirmed',
  'appeal.rejected',
  'appeal.reopened',
  'appeal.objection_upheld',
  'appeal.objection_dismissed',
  'appeal.contacts_revealed',
  'appeal.attachment_viewed',

  // appeals: what the workers do, and what a completed appeal does to the account
  'appeal.expired',
  'appeal.completed',
  'appeal.sla_breaches_flagged',
  'appeal.evidence_purged',
  'account.recovered_by_appeal',
  'account.password_reset',

  // appeals: canned replies the agents answer with
  'canned_reply.created',
  'canned_reply.updated',
  'canned_reply.deleted',

  // back-office: support actions on an account
  'account.contact_revealed',
  'account.sessions_revoked',
  'account.unfrozen',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
