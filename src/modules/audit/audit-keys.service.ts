import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditPublicJwk, AuditSigner } from './audit-signer';

/**
 * The public keys of the audit log: the current one and every key that ever signed a checkpoint
 * (kept in `audit_keys`), so receipts and checkpoints signed before a rotation still verify.
 */
@Injectable()
export class AuditKeys {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly signer: AuditSigner,
  ) {}

  /** Lists the current key for good (before anything it signs leaves the service), so a later rotation keeps it. */
  async remember(): Promise<void> {
    await this.dataSource.query('INSERT INTO audit_keys (kid, x) VALUES ($1, $2) ON CONFLICT (kid) DO NOTHING', [
      this.signer.kid,
      this.signer.jwk.x,
    ]);
  }

  async all(): Promise<AuditPublicJwk[]> {
    const rows = (await this.dataSource.query('SELECT kid, x FROM audit_keys ORDER BY first_used_at, kid')) as { kid: string; x: string }[];
    const keys: AuditPublicJwk[] = [this.signer.jwk];
    for (const row of rows) {
      if (row.kid !== this.signer.kid) keys.push({ kty: 'OKP', crv: 'Ed25519', x: row.x, kid: row.kid, use: 'sig' });
    }
    return keys;
  }
}
