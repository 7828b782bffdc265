import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

export type AttachmentContentType = 'image/jpeg' | 'image/png' | 'application/pdf';

/**
 * What is known of an uploaded file. Its bytes live in `appeal_attachment_contents` (PostgreSQL,
 * where every API process reads them) and are deleted by the evidence purge; this row stays with
 * the decision record.
 */
@Entity({ name: 'appeal_attachments' })
@Check('appeal_attachments_content_type_check', `"content_type" IN ('image/jpeg', 'image/png', 'application/pdf')`)
@Check('appeal_attachments_size_check', `"size" > 0`)
@Index('appeal_attachments_appeal_idx', ['appealId', 'createdAt'])
@Index('appeal_attachments_sha256_idx', ['sha256'])
export class AppealAttachment {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey('Appeal', { name: 'appeal_attachments_appeal_id_fkey', onDelete: 'CASCADE' })
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

  /**
   * The 64-bit perceptual hash of an image (as a signed bigint, a string as pg returns it); null
   * for a PDF, an image under 32×32 pixels or of one colour, or one that could not be read.
   */
  @Column({ type: 'bigint', nullable: true })
  perceptualHash!: string | null;

  /** Why the file looks edited (the software its metadata names, or an EXIF date after the upload); null when nothing says so. */
  @Column({ type: 'text', nullable: true })
  editEvidence!: string | null;
}
