import { ADMIN_TOKEN } from '../../support/factories';
import { SmtpSink } from '../../support/smtp-sink';
import { inParallel } from './drill-servers';

export interface JsonResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One JSON request to a service process over loopback. */
export async function callJson(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function expectStatus(status: number, pending: Promise<JsonResponse>, what: string): Promise<Record<string, unknown>> {
  const response = await pending;
  if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

const PASSWORD = 'drill password 0123456789 long';

export interface RootSession {
  readonly email: string;
  readonly token: string;
}

/**
 * Fresh accounts (admin API) with a root session each, signed in from a new device by the emailed
 * sign-in code, as a person would: the code is one of the 10 an account may be sent an hour, so
 * each session may ask for 9 more.
 */
export async function rootSessions(baseUrl: string, smtp: SmtpSink, count: number, tag: string): Promise<RootSession[]> {
  return inParallel(
    Array.from({ length: count }, (_, index) => index),
    8,
    async (index) => {
      const email = `${tag}-${index}@example.com`;
      const deviceId = `drill-device-${tag}-${index}`;
      await expectStatus(
        201,
        callJson(
          baseUrl,
          'POST',
          '/api/admin/accounts',
          { logonEmail: email, password: PASSWORD },
          { Authorization: `Bearer ${ADMIN_TOKEN}` },
        ),
        'create account',
      );
      const { challengeId } = await expectStatus(
        202,
        callJson(baseUrl, 'POST', '/api/v1/sessions', { login: email, password: PASSWORD }, { 'X-Device-Id': deviceId }),
        'sign in',
      );
      const code = await smtp.codeFor(email, 'sign-in-code', 30_000);
      const { token } = await expectStatus(
        201,
        callJson(baseUrl, 'POST', '/api/v1/sessions/secondary', { challengeId, code }, { 'X-Device-Id': deviceId }),
        'secondary sign-in',
      );
      return { email, token: String(token) };
    },
  );
}

/** Asks for an email verification code: one outbox row, one message to the session's owner. */
export function requestCode(baseUrl: string, session: RootSession): Promise<JsonResponse> {
  return callJson(
    baseUrl,
    'POST',
    '/api/v1/verifications',
    { purpose: 'change_password', method: 'email' },
    { Authorization: `Bearer ${session.token}` },
  );
}

/** Codes each session may still ask for this hour (10 an hour, one went to the sign-in). */
export const CODES_PER_SESSION = 9;
