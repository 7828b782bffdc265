import { resolve } from 'node:path';
import { ConfigError } from './config-error';
import { decodeSecret, loadOrCreateSecret } from './app-secret';
import { envSchema } from './env.schema';
import { BusinessHours } from './business-hours';

export type ProcessRole = 'all' | 'api' | 'worker';

export interface AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly role: ProcessRole;
  readonly dataDir: string;
  readonly logLevel: string;
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly publicBaseUrl: string;
    /** Cookies get `Secure` when the public address is https. */
    readonly secureCookies: boolean;
    readonly trustProxy: boolean | number | string[];
  };
  readonly database: { readonly url: string };
  readonly redis: { readonly url: string; readonly prefix: string };
  readonly mail: { readonly smtpUrl?: string; readonly from: string };
  readonly sms:
    | { readonly provider: 'outbox' }
    | { readonly provider: 'webhook'; readonly webhookUrl: string; readonly webhookSecret: string };
  /** The root secret every key of the service is derived from. */
  readonly secret: Buffer;
  readonly adminApiToken?: string;
  /** The bearer token of `/metrics`; unset: `/metrics` is off (404). */
  readonly metricsToken?: string;
  readonly appeals: {
    readonly coolingOffMs: number;
    readonly fourEyes: boolean;
    /** APPEAL_AUTO_ASSIGN: unclaimed submitted appeals are handed to agents present, by language and load. */
    readonly autoAssign: boolean;
    readonly slaFirstResponseMs: number;
    readonly slaResolutionMs: number;
    /** SLA_BUSINESS_HOURS and SLA_HOLIDAYS: the hours SLA deadlines count; null when every hour counts. */
    readonly businessHours: BusinessHours | null;
    readonly evidenceRetentionMs: number;
    readonly evidenceThreshold: number;
    readonly leaseMs: number;
    readonly customerTimeoutMs: number;
  };
  readonly verification: { readonly codeTtlMs: number; readonly resendCooldownMs: number; readonly tokenTtlMs: number };
  readonly sessions: { readonly idleMs: number; readonly absoluteMs: number };
  readonly scheduler: { readonly intervalMs: number };
  /**
   * How often the outbox sweep runs (a row still pending after one interval is re-enqueued), and
   * the delay before a failed delivery's first retry (doubling from there).
   */
  readonly outbox: { readonly sweepIntervalMs: number; readonly retryDelayMs: number };
  /**
   * The audit log: how often the sequencer gives committed events their place in the Merkle
   * tree, and the Ed25519 seed its checkpoints and receipts are signed with (unset: derived from
   * the root secret).
   */
  readonly audit: { readonly sequenceIntervalMs: number; readonly signingSeed?: Buffer };
  /** Switches only the benchmarks use: `auditOff` is the audit-append benchmark's unaudited half. */
  readonly benchmark: { readonly auditOff: boolean };
  /** The development outbox (files under `$DATA_DIR/outbox`, page `/dev/outbox`) is in use. */
  readonly devOutbox: { readonly enabled: boolean; readonly pageEnabled: boolean; readonly dir: string };
}

/** Validates the environment once; every problem becomes one ConfigError line naming its variables. */
/**
 * The settings as the environment gives them: PostgreSQL's and Redis's addresses are unset where
 * the runtime is to start (or find) embedded servers, which `withResolvedServices` then fills in.
 */
export type LoadedConfig = Omit<AppConfig, 'database' | 'redis'> & {
  readonly database: { readonly url?: string };
  readonly redis: { readonly url?: string; readonly prefix: string };
};

export function loadConfig(source: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const [first, ...rest] = parsed.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? 'environment'),
      message: issue.message,
    }));
    throw new ConfigError(first.variable, [first.message, ...rest.map((issue) => `${issue.variable} ${issue.message}`)].join('; '));
  }
  const env = parsed.data;
  const dataDir = resolve(env.DATA_DIR);
  const secret = env.APP_SECRET ? decodeSecret(env.APP_SECRET, 'APP_SECRET') : loadOrCreateSecret(dataDir);
  const publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://${defaultPublicHost(env.HOST)}:${env.PORT}`).replace(/\/+$/, '');
  const usesOutbox = !env.SMTP_URL || env.SMS_PROVIDER === 'outbox';

  return {
    env: env.NODE_ENV,
    role: env.PROCESS_ROLE,
    dataDir,
    logLevel: env.LOG_LEVEL,
    http: {
      host: env.HOST,
      port: env.PORT,
      publicBaseUrl,
      secureCookies: publicBaseUrl.startsWith('https:'),
      trustProxy: env.TRUST_PROXY,
    },
    database: { url: env.DATABASE_URL },
    redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    sms:
      env.SMS_PROVIDER === 'webhook'
        ? { provider: 'webhook', webhookUrl: env.SMS_WEBHOOK_URL!, webhookSecret: env.SMS_WEBHOOK_SECRET! }
        : { provider: 'outbox' },
    secret,
    adminApiToken: env.ADMIN_API_TOKEN,
    metricsToken: env.METRICS_TOKEN,
    appeals: {
      coolingOffMs: env.APPEAL_COOLING_OFF,
      fourEyes: env.APPEAL_FOUR_EYES,
      autoAssign: env.APPEAL_AUTO_ASSIGN,
      slaFirstResponseMs: env.SLA_FIRST_RESPONSE,
      slaResolutionMs: env.SLA_RESOLUTION,
      // Holidays without business hours: every hour of every other day (in UTC) counts.
      businessHours: env.SLA_BUSINESS_HOURS
        ? { ...env.SLA_BUSINESS_HOURS, holidays: env.SLA_HOLIDAYS }
        : env.SLA_HOLIDAYS.length
          ? { days: [1, 2, 3, 4, 5, 6, 7], startMinute: 0, endMinute: 24 * 60, zone: 'UTC', holidays: env.SLA_HOLIDAYS }
          : null,
      evidenceRetentionMs: env.EVIDENCE_RETENTION,
      evidenceThreshold: env.APPEAL_EVIDENCE_THRESHOLD,
      leaseMs: env.APPEAL_LEASE,
      customerTimeoutMs: env.APPEAL_CUSTOMER_TIMEOUT,
    },
    verification: {
      codeTtlMs: env.VERIFICATION_CODE_TTL,
      resendCooldownMs: env.VERIFICATION_RESEND_COOLDOWN,
      tokenTtlMs: env.VERIFICATION_TOKEN_TTL,
    },
    sessions: { idleMs: env.SESSION_IDLE, absoluteMs: env.SESSION_ABSOLUTE },
    scheduler: { intervalMs: env.SCHEDULER_INTERVAL },
    outbox: { sweepIntervalMs: env.OUTBOX_SWEEP_INTERVAL, retryDelayMs: env.DELIVERY_RETRY_DELAY },
    audit: {
      sequenceIntervalMs: env.AUDIT_SEQUENCE_INTERVAL,
      signingSeed: env.AUDIT_SIGNING_KEY ? Buffer.from(env.AUDIT_SIGNING_KEY, 'base64url') : undefined,
    },
    benchmark: { auditOff: env.AUDIT_DISABLED_FOR_BENCHMARK === '1' },
    devOutbox: { enabled: usesOutbox, pageEnabled: usesOutbox && env.NODE_ENV !== 'production', dir: resolve(dataDir, 'outbox') },
  };
}

/** A copy of the config with the addresses the runtime resolved (embedded PostgreSQL or Redis). */
export function withResolvedServices(config: LoadedConfig, services: { databaseUrl: string; redisUrl: string }): AppConfig {
  return { ...config, database: { url: services.databaseUrl }, redis: { ...config.redis, url: services.redisUrl } };
}

export { ConfigError };

/**
 * The host of the default PUBLIC_BASE_URL: `localhost` for a loopback HOST, since browsers refuse
 * an IP address as a passkey's RP ID; otherwise HOST itself (an IPv6 address in brackets).
 */
function defaultPublicHost(host: string): string {
  if (/^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === 'localhost') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
