import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import supertest from 'supertest';
import { AppealReviewService } from '../../src/modules/appeals/appeal-review.service';
import { sequenceAudit } from '../support/audit';
import { createAgent, fileAppeal, FiledAppeal, openAppealStatus, PNG, uploadAttachment, versionOf } from '../support/appeals';
import { bearer, createAccount } from '../support/factories';
import { csrfOf } from '../support/html';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'verify-audit-proof.js');
const part = (jws: string, n: number) => JSON.parse(Buffer.from(jws.split('.')[n], 'base64url').toString('utf8'));
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Decision receipts: signed with the audit log's key, checked offline by the documented script
 * with nothing but the public key; an altered payload, signature or checkpoint fails.
 */
describe('Appeal decision receipts', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let dir: string;
  let keys: unknown;

  beforeAll(async () => {
    t = await createTestApp({ smtp: true, env: { TRUST_PROXY: 'loopback' } });
    ({ smtp } = t);
    dir = mkdtempSync(join(tmpdir(), 'ac-receipts-'));
    keys = (await t.http.get('/.well-known/audit-key.json').expect(200)).body;
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  /** The documented check: `node scripts/verify-audit-proof.js receipt keys.json receipt.json`. */
  const check = async (receipt: string) => {
    const [keysFile, receiptFile] = [join(dir, 'keys.json'), join(dir, `receipt-${Math.random()}.json`)];
    writeFileSync(keysFile, JSON.stringify(keys));
    writeFileSync(receiptFile, JSON.stringify({ receipt }));
    try {
      return (await promisify(execFile)(process.execPath, [SCRIPT, 'receipt', keysFile, receiptFile])).stdout.trim();
    } catch (error) {
      return (error as { stdout: string }).stdout.trim();
    }
  };
  const receiptOf = async (filed: FiledAppeal) => {
    await sequenceAudit(t);
    return waitFor(
      async () => {
        const response = await t.http.get(`/api/v1/appeals/${filed.reference}/receipt`).set(bearer(filed.accessToken));
        return response.status === 200 && (response.body as { receipt: string }).receipt;
      },
      { timeoutMs: 30_000, description: 'the receipt' },
    );
  };

  it('gives the person a receipt of the approval that the documented script verifies, and the former contact the same one', async () => {
    const review = t.get(AppealReviewService);
    const owner = await createAccount(t);
    const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
    await uploadAttachment(t, filed, PNG, 'id.png').expect(201);
    await t.http.get(`/api/v1/appeals/${filed.reference}/receipt`).set(bearer(filed.accessToken)).expect(404);
    await t.http.get(`/api/v1/appeals/${filed.reference}/receipt`).expect((response) => expect([401, 404]).toContain(response.status));

    const [agent, supervisor] = [await createAgent(t, 'agent', 'Alice Approver'), await createAgent(t, 'supervisor', 'Sam Confirmer')];
    await review.claim(agent, filed.reference, await versionOf(t, agent, filed.reference));
    await review.approve(agent, filed.reference, await versionOf(t, agent, filed.reference), { rationale: 'Called back.' });
    await review.confirmApproval(supervisor, filed.reference, await versionOf(t, supervisor, filed.reference));

    const receipt = await receiptOf(filed);
    expect(part(receipt, 0)).toEqual({ alg: 'EdDSA', kid: (keys as { keys: { kid: string }[] }).keys[0].kid });
    const payload = part(receipt, 1);
    expect(payload).toMatchObject({
      reference: filed.reference,
      decision: 'scheduled',
      requestedChanges: ['logonEmail'],
      decidedAt: expect.stringMatching(/Z$/),
      evidence: [{ sha256: createHash('sha256').update(PNG).digest('hex') }],
      approvals: [
        { agent: expect.stringMatching(/^agent-[0-9a-f]{16}$/), at: expect.any(String) },
        { agent: expect.stringMatching(/^agent-[0-9a-f]{16}$/), at: expect.any(String) },
      ],
      audit: {
        seq: expect.any(Number),
        event: { action: 'appeal.approval_confirmed', subject: { type: 'appeal', id: filed.reference } },
        leafHash: expect.any(String),
        inclusionProof: expect.any(Array),
        checkpoint: { size: expect.any(Number) },
      },
    });
    expect(payload.approvals[0].agent).not.toBe(payload.approvals[1].agent);
    expect(JSON.stringify(payload.approvals)).not.toMatch(/Alice|Sam|agent\.|@/);
    await expect(check(receipt)).resolves.toBe('ok');
    // Deterministic: asked again, the same receipt.
    expect((await t.http.get(`/api/v1/appeals/${filed.reference}/receipt`).set(bearer(filed.accessToken)).expect(200)).body).toEqual({
      receipt,
    });

    // The person's status page shows it too.
    const person = await openAppealStatus(t, filed);
    expect(/data-receipt>([^<]+)</.exec((await person.get('/appeal/status').expect(200)).text)?.[1]).toBe(receipt);

    // The former contact's objection page shows the same receipt.
    const token = /\/appeal\/object\/([A-Za-z0-9_-]{43})/.exec((await smtp.latest(owner.logonEmail, 'appeal-objection')).text)![1];
    const who = supertest.agent(t.app.getHttpServer());
    const page = await who.get(`/appeal/object/${token}`).expect(200);
    expect(/data-receipt>([^<]+)</.exec(page.text)?.[1]).toBe(receipt);

    // Stopped by the former contact: the receipt becomes that of the objection, without approvals.
    await who
      .post(`/appeal/object/${token}`)
      .type('form')
      .send({ _csrf: csrfOf(page.text) })
      .expect(200);
    const objected = await waitFor(
      async () => {
        const next = await receiptOf(filed);
        return part(next, 1).decision === 'objected' && next;
      },
      { timeoutMs: 30_000, description: 'the receipt of the objection' },
    );
    expect(part(objected, 1)).toMatchObject({ decision: 'objected', approvals: [], audit: { event: { action: 'appeal.objected' } } });
    await expect(check(objected)).resolves.toBe('ok');
  });

  it('fails verification when the payload, the signature, the event or the checkpoint of a receipt is altered', async () => {
    const review = t.get(AppealReviewService);
    const owner = await createAccount(t);
    const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
    const agent = await createAgent(t, 'agent');
    await review.claim(agent, filed.reference, await versionOf(t, agent, filed.reference));
    await review.reject(agent, filed.reference, await versionOf(t, agent, filed.reference), {
      reason: 'No such account',
      message: 'We found no account.',
    });
    const receipt = await receiptOf(filed);
    expect(part(receipt, 1)).toMatchObject({ decision: 'rejected', approvals: [] });
    await expect(check(receipt)).resolves.toBe('ok');

    const [header, body, signature] = receipt.split('.');
    const payload = part(receipt, 1);
    const resigned = (changed: unknown) => `${header}.${encode(changed)}.${signature}`;
    await expect(check(resigned({ ...payload, decision: 'scheduled' }))).resolves.toBe('FAILED: receipt: bad signature');
    await expect(check(`${header}.${body}.${Buffer.from(signature, 'base64url').reverse().toString('base64url')}`)).resolves.toBe(
      'FAILED: receipt: bad signature',
    );
    await expect(check(`${encode({ alg: 'EdDSA', kid: 'someone-else' })}.${body}.${signature}`)).resolves.toBe(
      'FAILED: unknown key someone-else',
    );
    // Even a validly signed receipt must agree with its own checkpoint and proof: checked with the same functions.
    const forged = { ...payload.audit, event: { ...payload.audit.event, data: { ...payload.audit.event.data, to: 'scheduled' } } };
    const keyless = join(dir, 'forged.json');
    writeFileSync(keyless, JSON.stringify({ ...forged, size: forged.checkpoint.size, rootHash: forged.checkpoint.rootHash }));
    writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(forged.checkpoint));
    writeFileSync(join(dir, 'keys.json'), JSON.stringify(keys));
    const run = (file: string, checkpoint: string) =>
      promisify(execFile)(process.execPath, [SCRIPT, 'inclusion', join(dir, 'keys.json'), file, checkpoint]).then(
        (out) => out.stdout.trim(),
        (error: { stdout: string }) => error.stdout.trim(),
      );
    await expect(run(keyless, join(dir, 'checkpoint.json'))).resolves.toMatch(/^FAILED: event \d+ is not in checkpoint/);
    writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify({ ...forged.checkpoint, timestamp: '2020-01-01T00:00:00.000Z' }));
    await expect(run(keyless, join(dir, 'checkpoint.json'))).resolves.toMatch(/^FAILED: checkpoint \d+: bad signature/);
  });
});
