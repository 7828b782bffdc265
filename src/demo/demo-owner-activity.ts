import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DevicesService } from '../modules/accounts/devices.service';
import { SessionsService } from '../modules/accounts/sessions.service';

/** The demo owner's other device: a phone on a mobile network, signed in and trusted. */
const DEMO_PHONE = {
  deviceId: 'demo-owner-phone-0123456789abcdef',
  ip: '203.0.113.7',
  userAgent:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  label: 'Safari on iPhone',
};

/**
 * Gives /security/sessions of the demo owner something to show: a session on another device
 * (sessions end after 30 idle minutes, so each demo start opens one if none is live) and that
 * device trusted, as a completed secondary sign-in would leave it.
 */
export async function seedDemoOwnerActivity(app: INestApplicationContext, uid: string): Promise<void> {
  const dataSource = app.get(DataSource);
  const sessions = app.get(SessionsService, { strict: false });
  const devices = app.get(DevicesService, { strict: false });
  const live = await sessions.listForAccount(uid);
  const device = devices.fingerprint(DEMO_PHONE.deviceId, DEMO_PHONE.ip)!;
  await dataSource.transaction(async (manager) => {
    if (!live.some((session) => session.userAgent === DEMO_PHONE.userAgent)) {
      await sessions.create(manager, { type: 'root', uid }, { ip: DEMO_PHONE.ip, userAgent: DEMO_PHONE.userAgent });
    }
    if (!(await devices.isTrusted(uid, device))) await devices.recordSignIn(manager, uid, device, DEMO_PHONE.label, true);
  });
}
