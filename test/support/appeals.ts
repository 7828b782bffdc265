import supertest from 'supertest';
import { AgentRole } from '../../src/modules/agents/entities/agent.entity';
import { AgentsService } from '../../src/modules/agents/agents.service';
import { ActingAgent } from '../../src/modules/appeals/appeal-review.service';
import { AppealDetailService } from '../../src/modules/appeals/appeal-detail.service';
import { api, bearer, createAccount, uniqueEmail, uniqueIp } from './factories';
import { csrfOf } from './html';
import { extractCode, SmtpSink } from './smtp-sink';
import { TestApp } from './test-app';

/** Files made by these helpers; tests read them back by reference. */
export interface FiledAppeal {
  readonly reference: string;
  readonly accessToken: string;
  readonly contactEmail: string;
  readonly ip: string;
}

export interface AppealRequest {
  readonly account: { uid?: string; logonEmail?: string; securePhone?: string };
  readonly changes?: { logonEmail?: string; securePhone?: string; resetPassword?: boolean; disableTotp?: boolean };
  readonly evidence?: Record<string, unknown>;
  /** Defaults to a fresh address; `changes.logonEmail` defaults to it. */
  readonly contactEmail?: string;
  readonly ip?: string;
  /** The language of the person's messages (`en` when absent). */
  readonly locale?: 'en' | 'zh-CN';
}

export const EVIDENCE = { fullName: 'Ada Lovelace', description: 'I lost my phone and the mailbox of my old employer was closed.' };

/** A 1×1 PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
/** A one-page PDF. */
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);
export const HTML = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');

/** Verifies the contact email with the code from the SMTP sink; returns the verification's id and code. */
export async function verifyContact(
  t: TestApp,
  smtp: SmtpSink,
  contactEmail: string,
  ip = uniqueIp(),
): Promise<{ id: string; code: string }> {
  const codes = () => smtp.to(contactEmail).filter((message) => message.template === 'appeal-contact-code');
  const before = codes().length;
  const response = await api(t)
    .post('/api/v1/appeals/contact-verifications')
    .set('X-Forwarded-For', ip)
    .send({ email: contactEmail })
    .expect(201);
  await smtp.waitForMessage(() => codes().length > before, 10_000, `the contact code for ${contactEmail}`);
  return { id: (response.body as { id: string }).id, code: extractCode(codes()[codes().length - 1].text) };
}

/** The body of a filing, contact verified. */
export async function appealBody(
  t: TestApp,
  smtp: SmtpSink,
  request: AppealRequest & { contactEmail: string; ip: string },
): Promise<Record<string, unknown>> {
  const contactVerification = await verifyContact(t, smtp, request.contactEmail, request.ip);
  return {
    contactVerification,
    account: request.account,
    changes: request.changes ?? { logonEmail: request.contactEmail },
    evidence: request.evidence ?? EVIDENCE,
    ...(request.locale ? { locale: request.locale } : {}),
  };
}

/** Verifies a contact and files through the public API; fails the test on anything but 201. */
export async function fileAppeal(t: TestApp, smtp: SmtpSink, request: AppealRequest): Promise<FiledAppeal> {
  const contactEmail = request.contactEmail ?? uniqueEmail('contact');
  const ip = request.ip ?? uniqueIp();
  const body = await appealBody(t, smtp, { ...request, contactEmail, ip });
  const response = await api(t).post('/api/v1/appeals').set('X-Forwarded-For', ip).send(body).expect(201);
  const { reference, accessToken } = response.body as { reference: string; accessToken: string };
  return { reference, accessToken, contactEmail, ip };
}

/** A browser (cookie jar) that has opened the appeal's status page with its reference and access token. */
export async function openAppealStatus(t: TestApp, filed: FiledAppeal): Promise<supertest.Agent> {
  const browser = supertest.agent(t.app.getHttpServer());
  const form = await browser.get('/appeal/status').expect(200);
  await browser
    .post('/appeal/status')
    .type('form')
    .send({ _csrf: csrfOf(form.text), reference: filed.reference, accessToken: filed.accessToken })
    .expect(303);
  return browser;
}

/** Uploads `content` as `filename` to a filed appeal through the public API (the client claims `contentType`). */
export function uploadAttachment(
  t: TestApp,
  filed: FiledAppeal,
  content: Buffer,
  filename: string,
  contentType = 'application/octet-stream',
) {
  return api(t)
    .post(`/api/v1/appeals/${filed.reference}/attachments`)
    .set(bearer(filed.accessToken))
    .attach('file', content, { filename, contentType });
}

let agents = 0;

/** An agent of `role`, as the back-office session would hand it to the services. */
export async function createAgent(
  t: TestApp,
  role: AgentRole = 'agent',
  name = `${role} ${(agents += 1)}`,
): Promise<ActingAgent & { name: string }> {
  const agent = await t
    .get(AgentsService)
    .create({ email: uniqueEmail(role), name, role, password: 'agent password 1234' }, { actor: { type: 'system', id: 'test' } });
  return { id: agent.id, role: agent.role, name, ip: '192.0.2.10' };
}

/** The version the agent's page would carry. */
export async function versionOf(t: TestApp, agent: ActingAgent, reference: string): Promise<number> {
  return (await t.get(AppealDetailService).detail(agent, reference)).version;
}

/**
 * Two appeals decided by `deciderId` in two weeks, for the SLA chart and table of /agent/reports:
 * one met every deadline (week of 23 November 2026), one missed its first response (week of 30 November).
 */
export async function seedDecidedAppeals(t: TestApp, smtp: SmtpSink, deciderId: string): Promise<void> {
  for (const [created, resolved, breached] of [
    ['2026-11-23T00:00:00Z', '2026-11-24T00:00:00Z', null],
    ['2026-11-30T00:00:00Z', '2026-12-02T00:00:00Z', '2026-12-01T00:00:00Z'],
  ]) {
    const { reference } = await fileAppeal(t, smtp, { account: { uid: (await createAccount(t)).uid } });
    await t.dataSource.query(
      `UPDATE appeals SET created_at = $2, first_response_at = $3, resolved_at = $3, first_response_breached_at = $4, approved_by = $5
        WHERE reference = $1`,
      [reference, created, resolved, breached, deciderId],
    );
  }
}
