/**
 * The catalogue of every message the product sends (ids fixed by api.md): the channels each
 * may go by, the variables its templates use, which of them are secret (sealed in the outbox,
 * wiped once sent), and sample values that the template tests render in both languages.
 *
 * Templates are files: `views/email/<id>/<locale>.{subject,html,text}.hbs` and
 * `views/sms/<id>/<locale>.hbs`, rendered by Handlebars in strict mode, so a variable missing
 * here or at the call site fails loudly instead of sending a message with a hole in it.
 */
import type { JsonValue } from '../../common/json';

export type NotificationChannel = 'email' | 'sms';
export type Locale = 'en' | 'zh-CN';
export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

export interface TemplateSpec {
  readonly channels: readonly NotificationChannel[];
  /** Verification codes go on the urgent queue: someone is waiting for them. */
  readonly urgent?: boolean;
  /** Variables sealed at rest; they must not appear in logs, job data or the outbox after sending. */
  readonly secrets: readonly string[];
  /** Every variable the templates use, with a realistic value. */
  readonly sample: Readonly<Record<string, JsonValue>>;
}

const code = { code: '482913', expiresInMinutes: 10 };
const account = { uid: '2081536794412356', at: '2026-11-22T09:30:00.000Z' };
const appeal = { reference: 'AP-7KQ2M4XZ9B', statusUrl: 'https://accounts.example.com/appeal/status' };

export const TEMPLATES = {
  'verification-code': { channels: ['email', 'sms'], urgent: true, secrets: ['code'], sample: { ...code, purpose: 'change_password' } },
  'sign-in-code': { channels: ['email', 'sms'], urgent: true, secrets: ['code'], sample: { ...code } },
  'email-change-code': { channels: ['email'], urgent: true, secrets: ['code'], sample: { ...code, uid: account.uid } },
  'phone-change-code': { channels: ['sms'], urgent: true, secrets: ['code'], sample: { ...code } },
  'password-recovery-code': { channels: ['email', 'sms'], urgent: true, secrets: ['code'], sample: { ...code } },
  'appeal-contact-code': { channels: ['email'], urgent: true, secrets: ['code'], sample: { ...code } },
  'password-changed': { channels: ['email', 'sms'], secrets: ['revertUrl'], sample: { ...account, revertUrl: 'https://accounts.example.com/secure/revert/tok' } },
  'logon-email-changed': {
    channels: ['email'],
    secrets: ['revertUrl'],
    sample: { ...account, newEmail: 'n***@example.com', revertUrl: 'https://accounts.example.com/secure/revert/tok' },
  },
  'logon-email-added': { channels: ['email'], secrets: [], sample: { ...account, newEmail: 'new@example.com' } },
  'secure-phone-changed': {
    channels: ['email', 'sms'],
    secrets: ['revertUrl'],
    sample: { ...account, newPhone: '+86 139****0000', revertUrl: 'https://accounts.example.com/secure/revert/tok' },
  },
  'totp-changed': { channels: ['email'], secrets: [], sample: { ...account, enabled: true } },
  'new-device-sign-in': { channels: ['email'], secrets: [], sample: { ...account, ip: '203.0.113.7', network: '203.0.113.0/24', device: 'Chrome on Linux' } },
  'sign-in-throttled': { channels: ['email'], secrets: [], sample: { ...account, ip: '203.0.113.7', retryAfterMinutes: 2 } },
  'verification-locked': { channels: ['email', 'sms'], secrets: [], sample: { ...account, unlockAt: '2026-11-22T10:30:00.000Z' } },
  'account-frozen': { channels: ['email'], secrets: [], sample: { ...account, appealUrl: 'https://accounts.example.com/appeal' } },
  'appeal-received': { channels: ['email'], secrets: [], sample: { ...appeal } },
  'appeal-info-requested': { channels: ['email'], secrets: [], sample: { ...appeal, message: 'Please upload a photo of the ID document you named.' } },
  'appeal-scheduled': { channels: ['email'], secrets: [], sample: { ...appeal, scheduledFor: '2026-11-23T09:30:00.000Z' } },
  'appeal-objection': {
    channels: ['email', 'sms'],
    secrets: ['objectionUrl'],
    sample: { maskedUid: '2081********2356', scheduledFor: '2026-11-23T09:30:00.000Z', objectionUrl: 'https://accounts.example.com/appeal/object/tok' },
  },
  'appeal-completed': {
    channels: ['email'],
    secrets: ['resetUrl'],
    sample: { ...appeal, uid: account.uid, logonEmail: 'new@example.com', resetUrl: 'https://accounts.example.com/reset-password/tok' },
  },
  'appeal-rejected': { channels: ['email'], secrets: [], sample: { ...appeal, message: 'The evidence does not match the account records.' } },
  'appeal-closed': { channels: ['email'], secrets: [], sample: { ...appeal, reason: 'cancelled' } },
  'appeal-reminder': { channels: ['email'], secrets: [], sample: { ...appeal, expiresAt: '2026-12-06T09:30:00.000Z' } },
  'sla-breach-digest': {
    channels: ['email'],
    secrets: [],
    sample: {
      count: 2,
      queueUrl: 'https://accounts.example.com/agent/appeals?sla=breached',
      appeals: [
        { reference: 'AP-7KQ2M4XZ9B', breach: 'first_response', dueAt: '2026-11-21T09:30:00.000Z' },
        { reference: 'AP-3HJ8W2PL5D', breach: 'resolution', dueAt: '2026-11-20T17:00:00.000Z' },
      ],
    },
  },
  'logon-email-reminder': { channels: ['sms'], secrets: [], sample: { maskedEmail: 'j***@example.com', uid: account.uid } },
} as const satisfies Record<string, TemplateSpec>;

export type TemplateId = keyof typeof TEMPLATES;

export const TEMPLATE_IDS = Object.keys(TEMPLATES) as TemplateId[];

export function templateSpec(id: TemplateId): TemplateSpec {
  return TEMPLATES[id];
}
