import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CryptoService } from '../../common/crypto/crypto.service';
import { NotFoundError } from '../../common/errors/domain-error';
import { AuditKeys } from '../audit/audit-keys.service';
import { AuditProofs } from '../audit/audit-proofs.service';
import { AuditSigner } from '../audit/audit-signer';
import { AppealCoolingOffService } from './appeal-cooling-off.service';
import { AppealStatus } from './appeal-workflow';
import { Appeal } from './entities/appeal.entity';
import { changeKeys } from './requested-changes';

/** The statuses a receipt speaks for: a decision on the appeal. */
export const DECIDED: readonly AppealStatus[] = ['scheduled', 'rejected', 'completed', 'objected'];

/** What a receipt's JWS payload holds: everything needed to check the decision offline. */
export interface AppealReceiptPayload {
  readonly reference: string;
  readonly decision: AppealStatus;
  readonly requestedChanges: string[];
  readonly decidedAt: string;
  readonly evidence: { readonly sha256: string }[];
  readonly approvals: { readonly agent: string; readonly at: string }[];
  readonly audit: Record<string, unknown>;
}

/**
 * Decision receipts: a compact JWS (EdDSA, the audit log's key) over the appeal's latest decision,
 * its requested changes, the SHA-256 of each attachment, the approvals (agents as stable
 * pseudonyms: an HMAC of their id, never a name) and the decision's audit event with its
 * inclusion proof in the first checkpoint that holds it. Ed25519 signatures are deterministic,
 * so the same decision always gives the same receipt.
 */
@Injectable()
export class AppealReceiptsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly proofs: AuditProofs,
    private readonly signer: AuditSigner,
    private readonly keys: AuditKeys,
    private readonly crypto: CryptoService,
    private readonly coolingOff: AppealCoolingOffService,
  ) {}

  /** The receipt of the appeal's latest decision; 404 before a decision and until its event is sequenced. */
  async forReference(reference: string): Promise<string> {
    const appeal = await this.dataSource.manager.findOneBy(Appeal, { reference });
    if (!appeal) throw new NotFoundError('There is no such appeal.');
    const receipt = await this.build(appeal);
    if (!receipt)
      throw new NotFoundError(
        'This appeal has no receipt yet: it has no decision, or its decision is still being written into the audit log (a few seconds).',
      );
    return receipt;
  }

  /** The receipt for the person's status page (undefined while there is none). */
  async find(reference: string): Promise<string | undefined> {
    const appeal = await this.dataSource.manager.findOneBy(Appeal, { reference });
    return appeal ? this.build(appeal) : undefined;
  }

  /** The receipt shown to a former contact on the objection page (undefined while there is none). */
  async forObjectionToken(token: string): Promise<string | undefined> {
    const appealId = await this.coolingOff.objectionAppealId(token);
    const appeal = appealId ? await this.dataSource.manager.findOneBy(Appeal, { id: appealId }) : null;
    return appeal ? this.build(appeal) : undefined;
  }

  private async build(appeal: Appeal): Promise<string | undefined> {
    const decision = await this.proofs.latestOutcome({ type: 'appeal', id: appeal.reference }, DECIDED);
    if (!decision) return undefined;
    const { inclusion, checkpoint } = decision;
    const attachments = (await this.dataSource.query('SELECT sha256 FROM appeal_attachments WHERE appeal_id = $1 ORDER BY created_at, id', [
      appeal.id,
    ])) as { sha256: string }[];
    const approved = decision.outcome === 'scheduled' || decision.outcome === 'completed';
    const approvals = approved
      ? [
          ...(appeal.approvedBy && appeal.approvedAt
            ? [{ agent: this.pseudonym(appeal.approvedBy), at: appeal.approvedAt.toISOString() }]
            : []),
          ...(appeal.confirmedBy && appeal.confirmedAt
            ? [{ agent: this.pseudonym(appeal.confirmedBy), at: appeal.confirmedAt.toISOString() }]
            : []),
        ]
      : [];
    const payload: AppealReceiptPayload = {
      reference: appeal.reference,
      decision: decision.outcome as AppealStatus,
      requestedChanges: changeKeys(appeal.changes),
      decidedAt: decision.at.toISOString(),
      evidence: attachments.map((attachment) => ({ sha256: attachment.sha256.toLowerCase() })),
      approvals,
      audit: {
        seq: inclusion.seq,
        event: inclusion.event,
        leafHash: inclusion.leafHash,
        inclusionProof: inclusion.inclusionProof,
        checkpoint,
      },
    };
    await this.keys.remember();
    return this.signer.signJws(payload);
  }

  /** A stable pseudonym of an agent: the same agent always reads the same, and nobody can tell who it is. */
  private pseudonym(agentId: string): string {
    return `agent-${this.crypto.hmac(agentId, 'audit-pseudonym').slice(0, 16)}`;
  }
}
