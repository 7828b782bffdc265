import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/** The bytes of one attachment, apart from its metadata so that lists never load them. */
@Entity({ name: 'appeal_attachment_contents' })
export class AppealAttachmentContent {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey('AppealAttachment', { name: 'appeal_attachment_contents_attachment_id_fkey', onDelete: 'CASCADE' })
  attachmentId!: string;

  @Column({ type: 'bytea' })
  content!: Buffer;
}
