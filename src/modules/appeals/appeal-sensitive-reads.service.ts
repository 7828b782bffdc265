import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { ActingAgent } from './appeal-review.service';
import { AppealsRepository } from './appeals.repository';
import { AppealAttachmentContent } from './entities/appeal-attachment-content.entity';
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
