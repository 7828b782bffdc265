import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type AttachmentContentType = 'image/jpeg' | 'image/png' | 'application/pdf';

/**
 * What is known of an uploaded file. Its bytes live in `appeal_attachment_contents` (PostgreSQL,
 * where every API process reads them) and are deleted by the evidence purge; this row stays with
 * the decision record.
 */
@Entity({ name: 'appeal_attachments' })
@Index('appeal_attachments_appeal_idx', ['appealId', 'createdAt'])
export class AppealAttachment {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  appealId!: string;

  /** Sanitised: no directory parts or control characters, the extension that of the content. */
  @Column({ type: 'varchar', length: 120 })
  filename!: string;

  /** Judged from the content, never from the name or the client's header. */
  @Column({ type: 'varchar', length: 32 })
  contentType!: AttachmentContentType;

  @Column({ type: 'int' })
  size!: number;

  @Column({ type: 'char', length: 64 })
  sha256!: string;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  purgedAt!: Date | null;
}
