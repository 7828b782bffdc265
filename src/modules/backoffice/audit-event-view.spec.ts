import { AuditEvent } from '../audit/entities/audit-event.entity';
import { auditDetailPairs, auditEventView, humanise } from './audit-event-view';

describe('audit event view', () => {
  it('turns data into label/value pairs, leaving out members without a value', () => {
    expect(
      auditDetailPairs({
        revokedSessions: 2,
        previous_status: 'frozen',
        appealId: 'AP-ABCDEFGHJK',
        note: null,
        reason: '  ',
        languages: ['en', 'zh-CN'],
        nothing: [],
        replaced: false,
        change: { from: 'agent', to: null },
      }),
    ).toEqual([
      { label: 'Revoked sessions', value: '2' },
      { label: 'Previous status', value: 'frozen' },
      { label: 'Appeal ID', value: 'AP-ABCDEFGHJK' },
      { label: 'Languages', value: 'en, zh-CN' },
      { label: 'Replaced', value: 'no' },
      { label: 'Change', value: 'from agent' },
    ]);
    expect(humanise('totpEnabled')).toBe('TOTP enabled');
  });

  it('names actors and subjects from the names given, never by a bare UUID of a known agent', () => {
    const agentId = '0b6f9c1e-3d2a-4c55-9a61-6f1d2c3b4a59';
    const event = Object.assign(new AuditEvent(), {
      seq: '7',
      action: 'account.unfrozen',
      actorType: 'agent',
      actorId: agentId,
      subjectType: 'account',
      subjectId: '1234567890123456',
      createdAt: new Date('2026-12-01T00:00:00Z'),
      data: {},
      ip: null,
    });
    const names = {
      agents: new Map([[agentId, { name: 'Ada', email: 'ada@example.com' }]]),
      accounts: new Map([['1234567890123456', 'lin@example.com']]),
    };
    expect(auditEventView(event, names)).toMatchObject({
      actor: { text: 'Ada (ada@example.com)', href: null },
      subject: { text: 'l***@example.com', href: '/agent/accounts/1234567890123456' },
      details: [],
    });
    const system = auditEventView(
      { ...event, actorType: 'system', actorId: null, subjectType: 'appeal', subjectId: 'AP-ABCDEFGHJK' },
      names,
    );
    expect([system.actor.text, system.subject]).toEqual(['system', { text: 'appeal AP-ABCDEFGHJK', href: '/agent/appeals/AP-ABCDEFGHJK' }]);
    const ramUser = auditEventView({ ...event, actorType: 'principal', actorId: 'ram_user:deploy-bot@1234567890123456' }, names);
    expect(ramUser.actor.text).toBe('deploy-bot@1234567890123456');
  });
});
