import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/**
 * The thumbnails of an image attachment, made once at upload: blurred (shown inline on the appeal's
 * page) and clear (shown only after an agent's "Show", audited as a view of the attachment).
 * Deleted with the attachment's bytes by the evidence purge.
 */
@Entity({ name: 'appeal_attachment_previews' })
export class AppealAttachmentPreview {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey('AppealAttachment', { name: 'appeal_attachment_previews_attachment_id_fkey', onDelete: 'CASCADE' })
  attachmentId!: string;

  @Column({ type: 'int' })
  width!: number;

  @Column({ type: 'int' })
  height!: number;

  @Column({ type: 'bytea' })
  blurred!: Buffer;

  @Column({ type: 'bytea' })
  clear!: Buffer;
}
