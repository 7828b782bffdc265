import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { ActingAgent } from './appeal-review.service';
import { AppealsRepository } from './appeals.repository';
import { AppealAttachmentContent } from './entities/appeal-attachment-content.entity';
import { AppealAttachmentPreview } from './entities/appeal-attachment-preview.entity';
import { AppealAttachment, AttachmentContentType } from './entities/appeal-attachment.entity';

export interface AttachmentDownload {
  readonly filename: string;
  readonly contentType: AttachmentContentType;
  readonly size: number;
  readonly content: Buffer;
}

/** What an agent may see of an appeal only with a record of it: the unmasked addresses and the attachments' bytes, each read audited in its transaction. */
@Injectable()
export class AppealSensitiveReadsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: AppealsRepository,
    private readonly audit: AuditService,
  ) {}

  /** The unmasked addresses of an appeal; a sensitive read, audited. */
  async revealContacts(
    agent: ActingAgent,
    reference: string,
  ): Promise<{
    contactEmail: string;
    claimedEmail: string | null;
    claimedPhone: string | null;
    newLogonEmail: string | null;
    newSecurePhone: string | null;
  }> {
    return this.dataSource.transaction(async (manager) => {
      const appeal = await this.repository.findByReference(manager, reference);
      await this.audit.record(manager, {
        action: 'appeal.contacts_revealed',
        actor: { type: 'agent', id: agent.id },
        subject: { type: 'appeal', id: appeal.reference },
        ip: agent.ip,
      });
      return {
        contactEmail: appeal.contactEmail,
        claimedEmail: appeal.claimedEmail,
        claimedPhone: appeal.claimedPhone,
        newLogonEmail: appeal.changes.logonEmail ?? null,
        newSecurePhone: appeal.changes.securePhone ?? null,
      };
    });
  }

  /** The blurred thumbnail of an image attachment (nothing readable in it, so not audited); 404 when there is none or it was purged. */
  async blurredPreview(reference: string, attachmentId: string): Promise<Buffer> {
    const manager = this.dataSource.manager;
    const appeal = await this.repository.findByReference(manager, reference);
    const attachment = isUUID(attachmentId) ? await manager.findOneBy(AppealAttachment, { id: attachmentId, appealId: appeal.id }) : null;
    const preview =
      attachment && !attachment.purgedAt
        ? await manager.findOne(AppealAttachmentPreview, { where: { attachmentId }, select: { attachmentId: true, blurred: true } })
        : null;
    if (!preview) throw new NotFoundError('There is no thumbnail of this attachment, or it was purged.');
    return preview.blurred;
  }

  /**
   * The clear thumbnail of an image attachment, after the agent's "Show": audited as a view of
   * that attachment (`appeal.attachment_viewed`, `view: "thumbnail"`); 404 when there is none or it was purged.
   */
  async showPreview(agent: ActingAgent, reference: string, attachmentId: string): Promise<{ id: string; clear: Buffer }> {
    return this.dataSource.transaction(async (manager) => {
      const appeal = await this.repository.findByReference(manager, reference);
      const attachment = isUUID(attachmentId) ? await manager.findOneBy(AppealAttachment, { id: attachmentId, appealId: appeal.id }) : null;
      const preview =
        attachment && !attachment.purgedAt
          ? await manager.findOne(AppealAttachmentPreview, { where: { attachmentId }, select: { attachmentId: true, clear: true } })
          : null;
      if (!attachment || !preview) throw new NotFoundError('There is no thumbnail of this attachment, or it was purged.');
      await this.audit.record(manager, {
        action: 'appeal.attachment_viewed',
        actor: { type: 'agent', id: agent.id },
        subject: { type: 'appeal', id: appeal.reference },
        data: { attachmentId, filename: attachment.filename, sha256: attachment.sha256, view: 'thumbnail' },
        ip: agent.ip,
      });
      return { id: attachmentId, clear: preview.clear };
    });
  }

  /** An attachment's bytes for an agent, the view audited; 404 when unknown, of another appeal, or purged. */
  async downloadAttachment(agent: ActingAgent, reference: string, attachmentId: string): Promise<AttachmentDownload> {
    return this.dataSource.transaction(async (manager) => {
      const appeal = await this.repository.findByReference(manager, reference);
      const attachment = isUUID(attachmentId) ? await manager.findOneBy(AppealAttachment, { id: attachmentId, appealId: appeal.id }) : null;
      const stored = attachment && !attachment.purgedAt ? await manager.findOneBy(AppealAttachmentContent, { attachmentId }) : null;
      if (!attachment || !stored) throw new NotFoundError('There is no such attachment, or it was purged.');
      await this.audit.record(manager, {
        action: 'appeal.attachment_viewed',
        actor: { type: 'agent', id: agent.id },
        subject: { type: 'appeal', id: appeal.reference },
        data: { attachmentId, filename: attachment.filename, sha256: attachment.sha256 },
        ip: agent.ip,
      });
      return { filename: attachment.filename, contentType: attachment.contentType, size: attachment.size, content: stored.content };
    });
  }
}
