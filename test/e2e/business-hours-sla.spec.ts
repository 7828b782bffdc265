import { AppealMaintenanceService } from '../../src/modules/appeals/appeal-maintenance.service';
import { Appeal } from '../../src/modules/appeals/entities/appeal.entity';
import { fileAppeal } from '../support/appeals';
import { controlClock, createAccount } from '../support/factories';
import { SmtpSink } from '../support/smtp-sink';
import { createTestApp, TestApp } from '../support/test-app';

/** SLA_BUSINESS_HOURS and SLA_HOLIDAYS end to end: the due times an appeal stores, and when the scheduled job calls them breached. */
describe('SLA deadlines in business hours', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let clock: ReturnType<typeof controlClock>;

  beforeAll(async () => {
    t = await createTestApp({
      smtp: true,
      env: {
        TRUST_PROXY: 'loopback',
        SLA_BUSINESS_HOURS: 'Mon-Fri 09:00-18:00 Asia/Shanghai',
        SLA_HOLIDAYS: '2026-12-07',
        SLA_FIRST_RESPONSE: '24h',
        SLA_RESOLUTION: '72h',
      },
    });
    ({ smtp } = t);
    clock = controlClock(t);
  });

  afterAll(() => t?.close());

  it('stores due times counted in working hours and flags a breach only once the working hours have run out', async () => {
    // Friday 4 December 2026, 17:00 in Shanghai; Monday 7 December is a holiday.
    clock.freeze(new Date('2026-12-04T17:00:00+08:00').getTime());
    const owner = await createAccount(t);
    const filed = await fileAppeal(t, smtp, { account: { uid: owner.uid } });
    const row = () => t.dataSource.getRepository(Appeal).findOneByOrFail({ reference: filed.reference });
    // 1 h Friday, 9 h Tuesday, 9 h Wednesday, 5 h Thursday.
    await expect(row()).resolves.toMatchObject({
      firstResponseDueAt: new Date('2026-12-10T14:00:00+08:00'),
      // Friday 1 h, seven working days of 9 h from Tuesday, and the last 8 h on Thursday 17 December.
      resolutionDueAt: new Date('2026-12-17T17:00:00+08:00'),
    });

    // Wall-clock 24 h have long passed on Tuesday morning; the business day has barely started.
    clock.freeze(new Date('2026-12-08T10:00:00+08:00').getTime());
    await t.get(AppealMaintenanceService).flagSlaBreaches();
    await expect(row()).resolves.toMatchObject({ slaBreached: false });

    clock.freeze(new Date('2026-12-10T14:01:00+08:00').getTime());
    await t.get(AppealMaintenanceService).flagSlaBreaches();
    await expect(row()).resolves.toMatchObject({ slaBreached: true });
    clock.thaw();
  });

  it('refuses to start on a malformed calendar, naming the variable', async () => {
    await expect(createTestApp({ env: { SLA_BUSINESS_HOURS: 'weekdays 9 to 6' } })).rejects.toThrow(/SLA_BUSINESS_HOURS/);
  });
});
