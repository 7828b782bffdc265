/**
 * The catalogue of every message the product sends (ids fixed by docs/api.md, Messages): the channels each
 * may go by, the variables its templates use, which of them are secret (sealed in the outbox,
 * wiped once sent), and sample values that the template tests render in both languages.
 *
 * Templates are files: `views/email/<id>/<locale>.{subject,html,text}.hbs` and
 * `views/sms/<id>/<locale>.hbs`, rendered by Handlebars in strict mode. `notify()` refuses a
 * notice whose variables are not exactly the sample's, so a variable missing at the call site
 * fails in the caller's transaction instead of sending a message with a hole in it.
 *
 * Conventions for callers:
 * - dates (`at`, `unlockAt`, `scheduledFor`, ...) are ISO 8601 strings; templates format them;
 * - links carrying a token (`revertUrl`, `objectionUrl`, `resetUrl`) are absolute URLs built
 *   from PUBLIC_BASE_URL; fixed pages (status page, appeal form, queue) are linked by the
 *   templates themselves from the `baseUrl` the renderer provides;
 * - addresses shown to someone other than their owner arrive masked (`newEmail` in
 *   `logon-email-changed`, `newPhone`, `maskedUid`, `maskedEmail`);
 * - `changes` lists the keys of an appeal's requested changes, in docs/api.md's names.
 */
import type { JsonValue } from '../../common/json';

export type NotificationChannel = 'email' | 'sms';

/** An appeal's requested changes, as the keys of its `changes` object in docs/api.md. */
export type AppealChange = 'logonEmail' | 'securePhone' | 'resetPassword' | 'disableTotp';

export interface TemplateSpec {
  readonly channels: readonly NotificationChannel[];
  /** Verification codes go on the urgent queue: someone is waiting for them. */
  readonly urgent?: boolean;
  /** Variables sealed at rest; they must not appear in logs, job data or the outbox after sending. */
  readonly secrets: readonly string[];
  /** Exactly the variables a notice must carry (null allowed where a template says so), with realistic values. */
  readonly sample: Readonly<Record<string, JsonValue>>;
}

const code = { code: '482913', expiresInMinutes: 10 };
const account = { uid: '2081536794412356', at: '2026-11-22T09:30:00.000Z' };
const reference = 'AP-7KQ2M4XZ9B';
const link = (path: string) => `https://accounts.example.com${path}/q7Vd3kP9xT2mWc8LzR4bN6yH1sJ5gF0aE`;
const changes: AppealChange[] = ['logonEmail', 'resetPassword'];

export const TEMPLATES = {
  /** `purpose`: change_password | change_email | change_phone | enable_totp | disable_totp. */
  'verification-code': { channels: ['email', 'sms'], urgent: true, secrets: ['code'], sample: { ...code, purpose: 'change_password' } },
  /** Secondary sign-in from an unfamiliar device; `ip` tells the owner where the attempt comes from. */
  'sign-in-code': { channels: ['email', 'sms'], urgent: true, secrets: ['code'], sample: { ...code, ip: '203.0.113.7' } },
  /** To the new email, before it becomes the logon email. */
  'email-change-code': { channels: ['email'], urgent: true, secrets: ['code'], sample: { ...code, uid: account.uid } },
  /** To the new phone, before it becomes the secure phone. */
  'phone-change-code': { channels: ['sms'], urgent: true, secrets: ['code'], sample: { ...code } },
  'password-recovery-code': { channels: ['email', 'sms'], urgent: true, secrets: ['code'], sample: { ...code } },
  'appeal-contact-code': { channels: ['email'], urgent: true, secrets: ['code'], sample: { ...code } },
  /** The email carries the revert link (freezes the account); the SMS points to that email. */
  'password-changed': { channels: ['email', 'sms'], secrets: ['revertUrl'], sample: { ...account, revertUrl: link('/secure/revert') } },
  /** To the former logon email; `newEmail` masked. */
  'logon-email-changed': {
    channels: ['email'],
    secrets: ['revertUrl'],
    sample: { ...account, newEmail: 'n***@example.com', revertUrl: link('/secure/revert') },
  },
  /** To the new logon email, its owner: unmasked. */
  'logon-email-added': { channels: ['email'], secrets: [], sample: { ...account, newEmail: 'new.owner@example.com' } },
  /** To the logon email and the former phone, both with the revert link; `newPhone` masked. */
  'secure-phone-changed': {
    channels: ['email', 'sms'],
    secrets: ['revertUrl'],
    sample: { ...account, newPhone: '+86 139****0000', revertUrl: link('/secure/revert') },
  },
  /** `enabled`: true when an authenticator app was set up, false when it was turned off. */
  'totp-changed': { channels: ['email'], secrets: [], sample: { ...account, enabled: true } },
  /**
   * `device`: a label from the user agent (free text: escaped in HTML). `recoveryCodesLeft`: null
   * unless a recovery code answered the sign-in's authenticator challenge (then how many remain).
   */
  'new-device-sign-in': {
    channels: ['email'],
    secrets: [],
    sample: {
      ...account,
      ip: '203.0.113.7',
      network: '203.0.113.0/24',
      device: 'Chrome on Linux',
      recoveryCodesLeft: 9,
    },
  },
  'sign-in-throttled': { channels: ['email'], secrets: [], sample: { ...account, ip: '203.0.113.7', retryAfterMinutes: 2 } },
  /** Wrong codes typed in a password recovery of the account (anyone who knows the login can start one); once an hour at most. */
  'recovery-failures': { channels: ['email'], secrets: [], sample: { ...account, ip: '203.0.113.7' } },
  /** A passkey was added; `name` is the owner's (free text: escaped in HTML); the revert link removes it and freezes the account. */
  'passkey-added': {
    channels: ['email'],
    secrets: ['revertUrl'],
    sample: { ...account, name: 'MacBook Touch ID', revertUrl: link('/secure/revert') },
  },
  'passkey-removed': { channels: ['email'], secrets: [], sample: { ...account, name: 'MacBook Touch ID' } },
  /** A passkey's signature counter went backwards: the assertion was refused and the passkey marked suspect. */
  'passkey-suspect': { channels: ['email'], secrets: [], sample: { ...account, name: 'MacBook Touch ID', ip: '203.0.113.7' } },
  'verification-locked': { channels: ['email', 'sms'], secrets: [], sample: { ...account, unlockAt: '2026-11-22T10:30:00.000Z' } },
  /** `reason`: security_revert (a "this wasn't me" link was used) | support (an agent froze it). */
  'account-frozen': { channels: ['email'], secrets: [], sample: { ...account, reason: 'security_revert' } },
  'appeal-received': { channels: ['email'], secrets: [], sample: { reference } },
  /** A fresh access token for the status page, asked for there with the reference and the contact email; the old one no longer works. */
  'appeal-access-token': {
    channels: ['email'],
    urgent: true,
    secrets: ['accessToken'],
    sample: { reference, accessToken: 'Xq3vR8kT1mZ6wP0yL5nB9cD2fH7jS4gA-uE_oI1tK3s' },
  },
  /** `message`: the agent's question (free text); `respondBy`: when the appeal expires without an answer. */
  'appeal-info-requested': {
    channels: ['email'],
    secrets: [],
    sample: { reference, message: 'Please upload a photo of the ID document you named.', respondBy: '2026-12-06T09:30:00.000Z' },
  },
  'appeal-scheduled': { channels: ['email'], secrets: [], sample: { reference, scheduledFor: '2026-11-23T09:30:00.000Z', changes } },
  /** To the former logon email and secure phone on record at scheduling. */
  'appeal-objection': {
    channels: ['email', 'sms'],
    secrets: ['objectionUrl'],
    sample: { maskedUid: '2081********2356', scheduledFor: '2026-11-23T09:30:00.000Z', changes, objectionUrl: link('/appeal/object') },
  },
  /** `resetUrl` is null unless the appeal asked for a password reset; `securePhoneRemoved` when a phone the appeal did not replace was removed. */
  'appeal-completed': {
    channels: ['email'],
    secrets: ['resetUrl'],
    sample: {
      reference,
      uid: account.uid,
      logonEmail: 'new.owner@example.com',
      changes,
      securePhoneRemoved: true,
      resetUrl: link('/reset-password'),
    },
  },
  /** `message`: the agent's reason (free text). */
  'appeal-rejected': {
    channels: ['email'],
    secrets: [],
    sample: { reference, message: 'The evidence does not match the account records.' },
  },
  /** `reason`: cancelled | objected | expired. */
  'appeal-closed': { channels: ['email'], secrets: [], sample: { reference, reason: 'cancelled' } },
  /** 2 days before an `awaiting_customer` appeal expires. */
  'appeal-reminder': { channels: ['email'], secrets: [], sample: { reference, expiresAt: '2026-12-06T09:30:00.000Z' } },
  /** To every active supervisor; `breach`: first_response | resolution. */
  'sla-breach-digest': {
    channels: ['email'],
    secrets: [],
    sample: {
      count: 2,
      appeals: [
        { reference, breach: 'first_response', dueAt: '2026-11-21T09:30:00.000Z' },
        { reference: 'AP-3HJ8W2PL5D', breach: 'resolution', dueAt: '2026-11-20T17:00:00.000Z' },
      ],
    },
  },
  'logon-email-reminder': { channels: ['sms'], secrets: [], sample: { maskedEmail: 'j***@example.com', uid: account.uid } },
  /** To the logon email and secure phone on record before an appeal was applied: what changed (`securePhoneRemoved` as in `appeal-completed`). */
  'appeal-applied': {
    channels: ['email', 'sms'],
    secrets: [],
    sample: { maskedUid: '2081********2356', at: account.at, changes, securePhoneRemoved: true },
  },
  /**
   * To the logon email and secure phone on record when an appeal is filed that names exactly this
   * account, with a single-use objection link (as `appeal-objection`) that stops it.
   */
  'appeal-filed-alert': {
    channels: ['email', 'sms'],
    secrets: ['objectionUrl'],
    sample: { maskedUid: '2081********2356', reference, filedAt: account.at, changes, objectionUrl: link('/appeal/object') },
  },
  /** "This wasn't me" on the security activity: every other session revoked, every trusted device forgotten. */
  'account-secured': {
    channels: ['email', 'sms'],
    secrets: [],
    sample: { ...account, ip: '203.0.113.7', revokedSessions: 2, forgottenDevices: 1 },
  },
  /** To every active admin; `role`: supervisor | admin; `awaitingApproval` when a second admin must agree before it takes effect. */
  'agent-role-granted': {
    channels: ['email'],
    secrets: [],
    sample: {
      name: 'Sam Supervisor',
      email: 'sam@example.com',
      role: 'supervisor',
      grantedBy: 'Ada Admin',
      at: account.at,
      awaitingApproval: true,
    },
  },
} as const satisfies Record<string, TemplateSpec>;

export type TemplateId = keyof typeof TEMPLATES;

export const TEMPLATE_IDS = Object.keys(TEMPLATES) as TemplateId[];

export function templateSpec(id: TemplateId): TemplateSpec {
  return TEMPLATES[id];
}

/**
 * Why `variables` cannot make a good message of `template`: the variables the catalogue lists
 * but the notice lacks, and those the notice carries but no template uses. Empty when it can.
 */
export function variableProblems(template: TemplateId, variables: Readonly<Record<string, unknown>>): string[] {
  const expected = Object.keys(templateSpec(template).sample);
  const given = Object.keys(variables);
  return [
    ...expected.filter((name) => !given.includes(name) || variables[name] === undefined).map((name) => `missing ${name}`),
    ...given.filter((name) => !expected.includes(name)).map((name) => `unknown ${name}`),
  ];
}
