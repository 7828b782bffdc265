import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

/**
 * One of the 9 bands of an image's perceptual hash (docs/appeals.md, "Evidence signals"): two
 * hashes within Hamming distance 8 agree on at least one band whole, so the near-duplicate search
 * looks up the 9 bands of a new image by `(band, value)` and checks the distance of what it finds.
 */
@Entity({ name: 'appeal_attachment_hash_bands' })
@Check('appeal_attachment_hash_bands_band_check', `band BETWEEN 0 AND 8`)
// (band, value) INCLUDE (perceptual_hash, attachment_id): declared in the migration.
@Index('appeal_attachment_hash_bands_lookup_idx', { synchronize: false })
export class AppealAttachmentHashBand {
  @PrimaryColumn({ type: 'uuid' })
  @ForeignKey('AppealAttachment', { name: 'appeal_attachment_hash_bands_attachment_id_fkey', onDelete: 'CASCADE' })
  attachmentId!: string;

  @PrimaryColumn({ type: 'smallint' })
  band!: number;

  @Column({ type: 'smallint' })
  value!: number;

  @Column({ type: 'bigint' })
  perceptualHash!: string;
}
