import { randomUUID } from 'node:crypto';
import { rawEntity } from '../../src/database/raw-entity';
import { CodeChallenge } from '../../src/modules/challenges/entities/code-challenge.entity';
import { createAccount } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

describe(rawEntity.name, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
  });

  afterAll(async () => {
    await t.close();
  });

  it('writes and reads an entity as TypeORM does, jsonb and nulls included', async () => {
    const { uid } = await createAccount(t);
    const raw = rawEntity(t.dataSource, CodeChallenge, 'c');
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const challenge = Object.assign(new CodeChallenge(), {
      id: randomUUID(),
      kind: 'verification',
      accountUid: uid,
      sessionId: null,
      purpose: 'change_password',
      method: 'email',
      destination: 'owner@example.com',
      codeHmac: 'a'.repeat(64),
      message: { template: 'verification-code', locale: 'en', variables: { purpose: 'change_password' } },
      context: { value: 'x', flag: null },
      attempts: 0,
      sends: 1,
      expiresAt: now,
      resendAvailableAt: null,
      usedAt: null,
      cancelledAt: null,
      createdAt: now,
      updatedAt: now,
    } satisfies CodeChallenge);
    await raw.insert(t.dataSource.manager, challenge);

    const viaTypeorm = await t.dataSource.manager.findOneByOrFail(CodeChallenge, { id: challenge.id });
    expect(viaTypeorm).toEqual(challenge);
    const [row] = (await t.dataSource.query(`SELECT ${raw.columns} FROM code_challenges c WHERE c.id = $1`, [challenge.id])) as Record<
      string,
      unknown
    >[];
    expect(raw.read(row)).toEqual(viaTypeorm);
    expect(raw.read(row)).toBeInstanceOf(CodeChallenge);
    await expect(
      raw.insert(t.dataSource.manager, { ...challenge, id: randomUUID(), createdAt: undefined } as unknown as CodeChallenge),
    ).rejects.toThrow('code_challenges.createdAt has no value');
  });
});
