import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { hashToken, randomToken } from '../../common/crypto/tokens';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { RawEntity, rawEntity } from '../../database/raw-entity';
import { returnedRows } from '../../database/returned-rows';
import { VerificationTokenInvalidError } from './challenges.errors';
import { VerificationToken } from './entities/verification-token.entity';

export interface TokenBinding {
  readonly accountUid: string;
  readonly sessionId: string;
  readonly purpose: string;
}

/**
 * Verification tokens: the result of a verified challenge, 256-bit, stored hashed, bound to
 * account + session + purpose, valid 15 minutes (VERIFICATION_TOKEN_TTL), used once.
 */
@Injectable()
export class VerificationTokensService {
  private readonly row: RawEntity<VerificationToken>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    this.row = rawEntity(dataSource, VerificationToken, 't');
  }

  /** `method`: how the identity was verified, kept so the change can say so (`consume` returns it). */
  async issue(manager: EntityManager, binding: TokenBinding, method: string | null = null): Promise<{ token: string; expiresAt: Date }> {
    const token = randomToken();
    const expiresAt = new Date(this.clock.nowMs() + this.config.verification.tokenTtlMs);
    await this.row.insert(manager, {
      id: randomUUID(),
      tokenHash: hashToken(token),
      ...binding,
      method,
      expiresAt,
      usedAt: null,
      createdAt: this.clock.now(),
    });
    return { token, expiresAt };
  }

  /**
   * Throws 403 when `consume` would, without using the token up: lets a change refuse a stale
   * token before expensive work (an argon2id hash) that a valid one would need.
   */
  async assertUsable(token: string, binding: TokenBinding): Promise<void> {
    const usable: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM verification_tokens
        WHERE token_hash = $1 AND account_uid = $2 AND session_id = $3 AND purpose = $4 AND used_at IS NULL AND expires_at > $5`,
      [hashToken(token), binding.accountUid, binding.sessionId, binding.purpose, this.clock.now()],
    );
    if (!usable.length) throw new VerificationTokenInvalidError();
  }

  /**
   * Uses the token up, in the caller's transaction: if the change it authorises fails and rolls
   * back, the token stays valid. Wrong purpose, session or account, used or expired: 403. Returns
   * how the identity was verified (null for a token issued without saying).
   */
  async consume(manager: EntityManager, token: string, binding: TokenBinding): Promise<{ method: string | null }> {
    const used = returnedRows<{ method: string | null }>(
      await manager.query(
        `UPDATE verification_tokens SET used_at = $6
        WHERE token_hash = $1 AND account_uid = $2 AND session_id = $3 AND purpose = $4 AND used_at IS NULL AND expires_at > $5
        RETURNING id, method`,
        [hashToken(token), binding.accountUid, binding.sessionId, binding.purpose, this.clock.now(), this.clock.now()],
      ),
    );
    if (!used.length) throw new VerificationTokenInvalidError();
    return { method: used[0].method };
  }
}
