import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { generateSecret, NobleCryptoPlugin, ScureBase32Plugin, TOTP } from 'otplib';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Clock } from '../../common/clock';
import { CryptoService } from '../../common/crypto/crypto.service';
import { randomBase32 } from '../../common/crypto/tokens';
import { returnedRows } from '../../database/returned-rows';
import { AccountsService } from './accounts.service';
import { Account } from './entities/account.entity';
import { RecoveryCode } from './entities/recovery-code.entity';

/** RFC 6238 as docs/product.md fixes it, and the recovery codes of an enrolment. */
export const TOTP_RULES = {
  algorithm: 'sha1',
  digits: 6,
  periodSeconds: 30,
  /** Steps accepted either side of the current one. */
  driftSteps: 1,
  recoveryCodes: 10,
  recoveryCodeLength: 10,
} as const;

/** What answered a TOTP challenge: a step of the authenticator app, or a recovery code in its place. */
export type TotpFactor = 'totp' | 'recovery_code';

const TOTP_CODE = /^\d{6}$/;
/** Base32 (as issued), in any case, spaces and dashes ignored. */
const RECOVERY_CODE = /^[A-Z2-7]{10}$/;
const ISSUER = 'Account Center';

/**
 * TOTP codes (RFC 6238: SHA-1, 6 digits, 30 s steps, one step of drift, each step accepted once)
 * and the single-use recovery codes accepted in their place. Replay protection lives in
 * PostgreSQL (the account's last accepted step, moved forward by one conditional UPDATE), so
 * every API process refuses a step another one has accepted.
 */
@Injectable()
export class TotpService {
  private readonly totp = new TOTP({
    algorithm: TOTP_RULES.algorithm,
    digits: TOTP_RULES.digits,
    period: TOTP_RULES.periodSeconds,
    crypto: new NobleCryptoPlugin(),
    base32: new ScureBase32Plugin(),
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
  ) {}

  /** A new secret: 160 random bits, base32. */
  newSecret(): string {
    return generateSecret({ length: 20 });
  }

  /** The `otpauth://` URI an authenticator app scans. */
  otpauthUri(secret: string, label: string): string {
    return this.totp.toURI({ issuer: ISSUER, label, secret });
  }

  /** The time step `code` belongs to for `secret` (the current one or a neighbour), or null. Does not use the step up. */
  async matchStep(secret: string, code: string): Promise<number | null> {
    if (!TOTP_CODE.test(code)) return null;
    const result = await this.totp.verify(code, {
      secret,
      epoch: Math.floor(this.clock.nowMs() / 1000),
      epochTolerance: TOTP_RULES.driftSteps * TOTP_RULES.periodSeconds,
    });
    return result.valid ? result.timeStep : null;
  }

  /**
   * True when `code` is a TOTP code of the account's secret for a step later than any accepted
   * before, or one of its unused recovery codes; either is used up at once. False for anything
   * else, including an account without TOTP. `manager`: the caller's transaction, when it holds
   * locks this check must not wait on from another connection.
   */
  async check(
    account: Pick<Account, 'uid' | 'totpSecret'>,
    code: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    return (await this.checkFactor(account, code, manager)) !== null;
  }

  /**
   * As `check`, saying which factor answered: `totp` (a step of the app), `recovery_code` (one
   * of the enrolment's recovery codes, now used), or null for neither.
   */
  async checkFactor(
    account: Pick<Account, 'uid' | 'totpSecret'>,
    code: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<TotpFactor | null> {
    const secret = this.accounts.totpSecretOf(account);
    if (secret === null) return null;
    const trimmed = code.trim();
    if (TOTP_CODE.test(trimmed)) {
      const step = await this.matchStep(secret, trimmed);
      return step !== null && (await this.acceptStep(manager, account.uid, step)) ? 'totp' : null;
    }
    const recovery = normaliseRecoveryCode(trimmed);
    return RECOVERY_CODE.test(recovery) && (await this.useRecoveryCode(manager, account.uid, recovery)) ? 'recovery_code' : null;
  }

  /**
   * Replaces the account's recovery codes with ten new ones, through the caller's transaction, and
   * returns them: they are shown once, only their HMACs are kept.
   */
  async issueRecoveryCodes(manager: EntityManager, uid: string): Promise<string[]> {
    await this.forgetRecoveryCodes(manager, uid);
    const codes = new Set<string>();
    while (codes.size < TOTP_RULES.recoveryCodes) codes.add(randomBase32(TOTP_RULES.recoveryCodeLength));
    await manager.insert(
      RecoveryCode,
      [...codes].map((code) => ({ accountUid: uid, codeHmac: this.recoveryHmac(uid, code), usedAt: null })),
    );
    return [...codes];
  }

  /** How many of the account's recovery codes are still unused (as `manager`'s transaction sees them). */
  recoveryCodesLeft(uid: string, manager: EntityManager = this.dataSource.manager): Promise<number> {
    return manager.countBy(RecoveryCode, { accountUid: uid, usedAt: IsNull() });
  }

  /** Deletes the account's recovery codes (TOTP turned off or replaced), through the caller's transaction. */
  async forgetRecoveryCodes(manager: EntityManager, uid: string): Promise<void> {
    await manager.delete(RecoveryCode, { accountUid: uid });
  }

  /** Turns TOTP off: the secret, its replay state and the recovery codes, through the caller's transaction. */
  async disable(manager: EntityManager, uid: string): Promise<void> {
    await this.accounts.setTotpSecret(manager, uid, null);
    await this.forgetRecoveryCodes(manager, uid);
  }

  /** Moves the account's last accepted step forward to `step`; false when `step` is not later (a replay). */
  private async acceptStep(manager: EntityManager, uid: string, step: number): Promise<boolean> {
    const moved = returnedRows(
      await manager.query(
        `UPDATE accounts SET totp_last_step = $2
          WHERE uid = $1 AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $2)
          RETURNING uid`,
        [uid, step],
      ),
    );
    return moved.length === 1;
  }

  private async useRecoveryCode(manager: EntityManager, uid: string, code: string): Promise<boolean> {
    const used = returnedRows(
      await manager.query(
        `UPDATE totp_recovery_codes SET used_at = $3 WHERE account_uid = $1 AND code_hmac = $2 AND used_at IS NULL RETURNING id`,
        [uid, this.recoveryHmac(uid, code), this.clock.now()],
      ),
    );
    return used.length === 1;
  }

  private recoveryHmac(uid: string, code: string): string {
    return this.crypto.hmac(`recovery-code:${uid}:${code}`);
  }
}

function normaliseRecoveryCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}
