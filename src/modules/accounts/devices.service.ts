import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { isUUID } from 'class-validator';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { Clock } from '../../common/clock';
import { CryptoService } from '../../common/crypto/crypto.service';
import { NotFoundError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { TrustedDevice } from './entities/trusted-device.entity';
import { networkOf } from './network';
import { AuthenticatedSession, auditActorOf } from './principal';

/** A device as sign-in sees it: the keyed hash of the client's device id, and the network it came from. */
export interface DeviceFingerprint {
  readonly deviceIdHash: string;
  readonly network: string;
}

/** How long a device + network stays trusted after it completed a sign-in. */
export const DEVICE_TRUST_MS = 90 * 86_400_000;

/**
 * Trusted devices: a device id + network that completed a root sign-in skips the secondary
 * challenge for 90 days. The device id is a client secret of sorts, so only its HMAC is stored.
 */
@Injectable()
export class DevicesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
  ) {}

  /** Undefined without a device id: such a request is an unknown device every time. */
  fingerprint(deviceId: string | undefined, ip: string): DeviceFingerprint | undefined {
    if (!deviceId) return undefined;
    return { deviceIdHash: this.crypto.hmac(deviceId, 'device'), network: networkOf(ip) };
  }

  async isTrusted(accountUid: string, device: DeviceFingerprint | undefined): Promise<boolean> {
    if (!device) return false;
    const found = (await this.dataSource.query(
      `SELECT 1 FROM trusted_devices WHERE account_uid = $1 AND device_id_hash = $2 AND network = $3 AND trusted_until > $4 LIMIT 1`,
      [accountUid, device.deviceIdHash, device.network, this.clock.now()],
    )) as unknown[];
    return found.length > 0;
  }

  /**
   * Notes a completed sign-in from `device` through the caller's transaction: `trust` (after the
   * device passed the secondary check) starts a fresh 90 days; otherwise only the last use moves.
   */
  async recordSignIn(manager: EntityManager, accountUid: string, device: DeviceFingerprint, label: string, trust: boolean): Promise<void> {
    const now = this.clock.now();
    const trustedUntil = new Date(now.getTime() + DEVICE_TRUST_MS);
    // Plain SQL: it runs on every sign-in, and in a transaction sent in one round trip.
    await manager.query(
      `INSERT INTO trusted_devices (id, account_uid, device_id_hash, network, label, created_at, last_used_at, trusted_until)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
       ON CONFLICT (account_uid, device_id_hash, network) DO UPDATE SET label = EXCLUDED.label, last_used_at = EXCLUDED.last_used_at${trust ? ', trusted_until = EXCLUDED.trusted_until' : ''}`,
      [randomUUID(), accountUid, device.deviceIdHash, device.network, label.slice(0, 200), now, trustedUntil],
    );
  }

  /** The account's devices still trusted, most recently used first. */
  list(accountUid: string): Promise<TrustedDevice[]> {
    return this.dataSource.manager.find(TrustedDevice, {
      where: { accountUid, trustedUntil: MoreThan(this.clock.now()) },
      order: { lastUsedAt: 'DESC' },
    });
  }

  /** Forgets one device of the caller's account; NotFoundError when the account has no such device. */
  async forget(current: AuthenticatedSession, id: string, ip?: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const result = isUUID(id) ? await manager.delete(TrustedDevice, { id, accountUid: current.accountUid }) : { affected: 0 };
      if (!result.affected) throw new NotFoundError('There is no such trusted device.');
      await this.audit.record(manager, {
        action: 'device.forgotten',
        actor: auditActorOf(current.principal),
        subject: { type: 'account', id: current.accountUid },
        data: { trustedDeviceId: id },
        ip,
      });
    });
  }

  /** Forgets every device of the account through the caller's transaction (revert, appeal completion); returns how many. */
  async forgetAll(manager: EntityManager, accountUid: string): Promise<number> {
    return (await manager.delete(TrustedDevice, { accountUid })).affected ?? 0;
  }
}

/** How a device is named in the account's device list and notices. */
export function deviceLabel(userAgent: string | undefined): string {
  return userAgent?.trim() || 'Unknown device';
}
