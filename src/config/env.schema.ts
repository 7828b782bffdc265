import { isIP } from 'node:net';
import { z } from 'zod';
import { parseBusinessHours, parseHolidays } from './business-hours';
import { parseDuration } from './duration';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms === 0) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be a duration such as 500ms, 30s, 10m, 24h or 90d` });
        return z.NEVER;
      }
      return ms;
    });

const url = (protocols: string[]) =>
  z.string().refine(
    (text) => {
      try {
        return protocols.includes(new URL(text).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((text) => ['true', '1', 'yes'].includes(text));

const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .refine((text) => /^\d+$/.test(text) && Number(text) >= min && Number(text) <= max, {
      message: `must be a whole number from ${min} to ${max}`,
    })
    .transform(Number);

/** Express "trust proxy": `true`/`false`, a hop count, `loopback`-style names, or a comma-separated list of addresses or CIDRs. */
const trustProxy = z
  .string()
  .optional()
  .transform((text, ctx): boolean | number | string[] => {
    if (text === undefined || text === '' || text === 'false') return false;
    if (text === 'true') return true;
    if (/^\d+$/.test(text)) return Number(text);
    const names = ['loopback', 'linklocal', 'uniquelocal'];
    const parts = text.split(',').map((part) => part.trim());
    const valid = parts.every((part) => names.includes(part) || isIP(part.split('/')[0]) !== 0);
    if (!valid) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be true, a hop count, loopback, or a list of addresses/CIDRs' });
      return z.NEVER;
    }
    return parts;
  });

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PROCESS_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
    PORT: integer(3000, 1, 65535),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('.data'),
    PUBLIC_BASE_URL: url(['http:', 'https:']).optional(),
    DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
    REDIS_URL: url(['redis:', 'rediss:']).optional(),
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'must be lower-case letters, digits and dashes (at most 41)')
      .default('ac'),
    SMTP_URL: url(['smtp:', 'smtps:']).optional(),
    MAIL_FROM: z.string().min(3).default('Account Center <no-reply@account-center.local>'),
    SMS_PROVIDER: z.enum(['outbox', 'webhook']).default('outbox'),
    SMS_WEBHOOK_URL: url(['http:', 'https:']).optional(),
    SMS_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    APP_SECRET: z.string().optional(),
    ADMIN_API_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
    METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
    TRUST_PROXY: trustProxy,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    APPEAL_COOLING_OFF: duration('24h'),
    APPEAL_FOUR_EYES: boolean(true),
    APPEAL_AUTO_ASSIGN: boolean(false),
    SLA_FIRST_RESPONSE: duration('24h'),
    SLA_RESOLUTION: duration('72h'),
    SLA_BUSINESS_HOURS: z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (text === undefined || text.trim() === '') return null;
        const hours = parseBusinessHours(text);
        if (typeof hours === 'string') {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: hours });
          return z.NEVER;
        }
        return hours;
      }),
    SLA_HOLIDAYS: z
      .string()
      .optional()
      .transform((text, ctx) => {
        const dates = parseHolidays(text ?? '');
        if (typeof dates === 'string') {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: dates });
          return z.NEVER;
        }
        return dates;
      }),
    EVIDENCE_RETENTION: duration('90d'),
    APPEAL_EVIDENCE_THRESHOLD: integer(60, 0, 100),
    APPEAL_LEASE: duration('30m'),
    APPEAL_CUSTOMER_TIMEOUT: duration('14d'),
    VERIFICATION_CODE_TTL: duration('10m'),
    VERIFICATION_RESEND_COOLDOWN: duration('60s'),
    VERIFICATION_TOKEN_TTL: duration('15m'),
    SESSION_IDLE: duration('30m'),
    SESSION_ABSOLUTE: duration('12h'),
    SCHEDULER_INTERVAL: duration('1m'),
    OUTBOX_SWEEP_INTERVAL: duration('15s'),
    DELIVERY_RETRY_DELAY: duration('2s'),
    AUDIT_SEQUENCE_INTERVAL: duration('1s'),
    /** `1` only in the audit-append benchmark's unaudited half. */
    AUDIT_DISABLED_FOR_BENCHMARK: z.enum(['0', '1']).optional(),
    AUDIT_SIGNING_KEY: z
      .string()
      .optional()
      .refine((text) => text === undefined || (/^[A-Za-z0-9_-]{43}$/.test(text) && Buffer.from(text, 'base64url').length === 32), {
        message: 'must be a base64url Ed25519 seed of 32 bytes (43 characters)',
      }),
  })
  .superRefine((env, ctx) => {
    if (env.SMS_PROVIDER === 'webhook') {
      for (const key of ['SMS_WEBHOOK_URL', 'SMS_WEBHOOK_SECRET'] as const) {
        if (!env[key]) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: 'is required when SMS_PROVIDER=webhook' });
      }
    }
    if (env.NODE_ENV === 'production' && !env.APP_SECRET) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['APP_SECRET'], message: 'is required in production (32+ bytes, base64 or hex)' });
    }
  });

export type Env = z.infer<typeof envSchema>;
