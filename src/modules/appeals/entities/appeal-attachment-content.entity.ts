import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The bytes of one attachment, apart from its metadata so that lists never load them. */
@Entity({ name: 'appeal_attachment_contents' })
export class AppealAttachmentContent {
  @PrimaryColumn({ type: 'uuid' })
  attachmentId!: string;

  @Column({ type: 'bytea' })
  content!: Buffer;
}
