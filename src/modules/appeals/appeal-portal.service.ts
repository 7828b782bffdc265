import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { constantTimeEqual, hashToken, sha256Hex } from '../../common/crypto/tokens';
import { NotFoundError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { AppealCoolingOffService } from './appeal-cooling-off.service';
import { AppealTransitions } from './appeal-transitions';
import { AppealStatus, isClosed } from './appeal-workflow';
import { AppealsRepository, REFERENCE } from './appeals.repository';
import { AppealClosedError, AttachmentLimitError, PayloadTooLargeError, UnsupportedMediaTypeError } from './appeals.errors';
import { ATTACHMENT_RULES, acceptedTypeOf, sanitiseFilename } from './attachment-inspector';
import { AppealAttachmentContent } from './entities/appeal-attachment-content.entity';
import { AppealAttachmentHashBand } from './entities/appeal-attachment-hash-band.entity';
import { AppealAttachmentPreview } from './entities/appeal-attachment-preview.entity';
import { AppealRiskService } from './risk/appeal-risk.service';
import { analyseAttachment } from './risk/attachment-analysis';
import { bandsOf, toSignedBigint } from './risk/perceptual-hash';
import { AppealAttachment, AttachmentContentType } from './entities/appeal-attachment.entity';
import { Appeal, AppealEvidence, RequestedChanges } from './entities/appeal.entity';

/** What the person sees on the status page: the real status, never internal notes or agent names. */
export interface AppealStatusView {
  readonly reference: string;
  readonly status: AppealStatus;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly requestedChanges: RequestedChanges;
  readonly messages: { readonly from: 'customer' | 'agent'; readonly body: string; readonly createdAt: Date }[];
  readonly scheduledFor?: Date;
}

/** The person's credential: the reference and the access token shown once at filing. */
export interface AppealCredentials {
  readonly reference: string;
  readonly accessToken: string;
}

export interface UploadedFile {
  readonly originalName?: string;
  readonly content: Buffer;
}

export interface AttachmentView {
  readonly id: string;
  readonly filename: string;
  readonly size: number;
  readonly contentType: AttachmentContentType;
}

const NOT_FOUND = 'There is no such appeal, or the access token does not open it.';

/**
 * The person's side of an appeal (status page and its API): read it, answer, add evidence,
 * cancel. A wrong token and an unknown reference are the same 404.
 */
@Injectable()
export class AppealPortalService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: AppealsRepository,
    private readonly transitions: AppealTransitions,
    private readonly coolingOff: AppealCoolingOffService,
    private readonly risk: AppealRiskService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** NotFoundError unless the credentials open an appeal. */
  async authorize(credentials: AppealCredentials): Promise<void> {
    await this.open(this.dataSource.manager, credentials, false);
  }

  async status(credentials: AppealCredentials): Promise<AppealStatusView> {
    const appeal = await this.open(this.dataSource.manager, credentials, false);
    const messages = await this.repository.messages(this.dataSource.manager, appeal.id, false);
    return {
      reference: appeal.reference,
      status: appeal.status,
      createdAt: appeal.createdAt,
      updatedAt: appeal.updatedAt,
      requestedChanges: appeal.changes,
      messages: messages.map((message) => ({
        from: message.author === 'customer' ? 'customer' : 'agent',
        body: message.body,
        createdAt: message.createdAt,
      })),
      ...(appeal.scheduledFor && (appeal.status === 'scheduled' || appeal.status === 'completed')
        ? { scheduledFor: appeal.scheduledFor }
        : {}),
    };
  }

  /**
   * When the person can expect our next answer (their status page only; the API's status answer
   * is as it always was): the first response's due time until there is one, then the resolution's.
   * Undefined once the appeal is waiting on them, decided or closed.
   */
  async expectedAnswer(credentials: AppealCredentials): Promise<Date | undefined> {
    const appeal = await this.open(this.dataSource.manager, credentials, false);
    if (appeal.status !== 'submitted' && appeal.status !== 'in_review') return undefined;
    return (appeal.firstResponseAt === null ? appeal.firstResponseDueAt : appeal.resolutionDueAt) ?? undefined;
  }

  /** What the person filed as evidence, for their own status page (the API's status answer leaves it out). */
  async evidence(credentials: AppealCredentials): Promise<AppealEvidence> {
    return (await this.open(this.dataSource.manager, credentials, false)).evidence;
  }

  /** The files the person added, oldest first (for the pages; the API answers each upload with its own). */
  async attachments(credentials: AppealCredentials): Promise<AttachmentView[]> {
    const appeal = await this.open(this.dataSource.manager, credentials, false);
    const rows = await this.dataSource.manager.find(AppealAttachment, { where: { appealId: appeal.id }, order: { createdAt: 'ASC' } });
    return rows.map((row) => ({ id: row.id, filename: row.filename, size: row.size, contentType: row.contentType }));
  }

  /** A message from the person; an appeal awaiting their answer goes back to `in_review`. 409 APPEAL_CLOSED once closed. */
  async postMessage(
    credentials: AppealCredentials,
    body: string,
    client: { ip?: string } = {},
  ): Promise<{ from: 'customer'; body: string; createdAt: Date }> {
    return this.dataSource.transaction(async (manager) => {
      const appeal = await this.open(manager, credentials, true);
      if (isClosed(appeal.status)) throw new AppealClosedError();
      const message = await this.repository.addMessage(manager, appeal.id, 'customer', body.trim());
      const context = { actor: { type: 'public' as const }, ip: client.ip, data: { messageId: message.id } };
      if (appeal.status === 'awaiting_customer') {
        await this.transitions.byParty(manager, appeal, 'customer', 'reply', context);
      } else {
        const advanced = await this.repository.advance(manager, appeal, {}, { label: 'the person' });
        await this.audit.record(manager, {
          action: 'appeal.customer_message_added',
          ...context,
          subject: { type: 'appeal', id: appeal.reference },
          data: { ...context.data, version: advanced.version },
        });
      }
      return { from: 'customer', body: message.body, createdAt: message.createdAt };
    });
  }

  /** Cancels the appeal, also while `scheduled` (the change is then never applied). 409 APPEAL_CLOSED once closed. */
  async cancel(credentials: AppealCredentials, client: { ip?: string } = {}): Promise<{ status: 'cancelled' }> {
    const appealId = await this.dataSource.transaction(async (manager) => {
      const appeal = await this.open(manager, credentials, true);
      await this.transitions.byParty(manager, appeal, 'customer', 'cancel', { actor: { type: 'public' }, ip: client.ip });
      return appeal.id;
    });
    await this.coolingOff.dequeue(appealId);
    return { status: 'cancelled' };
  }

  /**
   * Adds a file: at most 5 an appeal, 10 MB each, JPEG, PNG or PDF judged by content; stored in
   * PostgreSQL with its size, SHA-256 and a sanitised name. 413, 415, 409 ATTACHMENT_LIMIT or
   * APPEAL_CLOSED otherwise.
   */
  async attach(credentials: AppealCredentials, file: UploadedFile, client: { ip?: string } = {}): Promise<AttachmentView> {
    await this.authorize(credentials);
    if (file.content.length > ATTACHMENT_RULES.maxBytes) throw new PayloadTooLargeError(ATTACHMENT_RULES.maxBytes);
    const accepted = await acceptedTypeOf(file.content);
    if (!accepted) throw new UnsupportedMediaTypeError();
    const uploadedAt = this.clock.now();
    // Decoded once, outside the transaction: the hash and metadata for the signals, the thumbnails for the agents.
    const analysis = await analyseAttachment(file.content, accepted.type, uploadedAt);
    const attachment = Object.assign(new AppealAttachment(), {
      id: randomUUID(),
      appealId: '',
      filename: sanitiseFilename(file.originalName, accepted.extension),
      contentType: accepted.type,
      size: file.content.length,
      sha256: sha256Hex(file.content),
      createdAt: uploadedAt,
      purgedAt: null,
      perceptualHash: analysis.perceptualHash === null ? null : toSignedBigint(analysis.perceptualHash),
      editEvidence: analysis.editEvidence,
    } satisfies AppealAttachment);

    await this.dataSource.transaction(async (manager) => {
      // Before the appeal's row: this upload may renew the signals of the appeals it duplicates.
      await this.risk.serialise(manager);
      const appeal = await this.open(manager, credentials, true);
      if (isClosed(appeal.status)) throw new AppealClosedError();
      const count = await manager.countBy(AppealAttachment, { appealId: appeal.id });
      if (count >= ATTACHMENT_RULES.maxFiles) throw new AttachmentLimitError(ATTACHMENT_RULES.maxFiles);
      attachment.appealId = appeal.id;
      await manager.insert(AppealAttachment, attachment);
      await manager.insert(AppealAttachmentContent, { attachmentId: attachment.id, content: file.content });
      if (analysis.perceptualHash !== null) {
        const hash = analysis.perceptualHash;
        await manager.insert(
          AppealAttachmentHashBand,
          bandsOf(hash).map((value, band) => ({ attachmentId: attachment.id, band, value, perceptualHash: toSignedBigint(hash) })),
        );
      }
      if (analysis.preview) await manager.insert(AppealAttachmentPreview, { attachmentId: attachment.id, ...analysis.preview });
      const advanced = await this.repository.advance(manager, appeal, {}, { label: 'the person' });
      await this.audit.record(manager, {
        action: 'appeal.attachment_added',
        actor: { type: 'public' },
        subject: { type: 'appeal', id: appeal.reference },
        data: {
          attachmentId: attachment.id,
          filename: attachment.filename,
          contentType: attachment.contentType,
          size: attachment.size,
          sha256: attachment.sha256,
          version: advanced.version,
        },
        ip: client.ip,
      });
      await this.risk.atUpload(manager, appeal.id);
    });
    return { id: attachment.id, filename: attachment.filename, size: attachment.size, contentType: attachment.contentType };
  }

  /** The appeal the credentials open (its row locked when `lock`), or the same 404 for an unknown reference and a wrong token. */
  private async open(manager: EntityManager, { reference, accessToken }: AppealCredentials, lock: boolean): Promise<Appeal> {
    const appeal = REFERENCE.test(reference)
      ? await manager.findOne(Appeal, { where: { reference }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) })
      : null;
    // Hash even without an appeal, so both 404s take the same time.
    const given = hashToken(accessToken);
    if (!appeal || !constantTimeEqual(given, appeal.accessTokenHash)) throw new NotFoundError(NOT_FOUND);
    return appeal;
  }
}
