import { MigrationInterface, QueryRunner } from 'typeorm';

/** The risk signals an appeal can carry, each with a partial index of the queue's order for its `risk=` filter. */
const SIGNALS = ['duplicate_evidence', 'edited_image', 'disposable_contact', 'new_network', 'repeat_filer', 'recent_contact_change'];

/**
 * Evidence signals: the risks an appeal carries beside its evidence score (each with its reason),
 * what the analysis of an uploaded file found (its perceptual hash, split into 9 indexed bands
 * for the near-duplicate search, and the editing software its metadata names), the thumbnails
 * shown on the appeal's page (blurred, and clear after "Show"), and the index by which an
 * account's recent sign-ins are read.
 */
export class EvidenceSignals1795420000000 implements MigrationInterface {
  name = 'EvidenceSignals1795420000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE appeals ADD COLUMN risk_signals jsonb NOT NULL DEFAULT '{}'::jsonb`);
    for (const signal of SIGNALS)
      await queryRunner.query(`CREATE INDEX appeals_risk_${signal}_idx ON appeals (created_at, id) WHERE risk_signals ? '${signal}'`);

    await queryRunner.query(`ALTER TABLE appeal_attachments ADD COLUMN perceptual_hash bigint, ADD COLUMN edit_evidence text`);
    await queryRunner.query(`CREATE INDEX appeal_attachments_sha256_idx ON appeal_attachments (sha256)`);
    await queryRunner.query(`
      CREATE TABLE appeal_attachment_hash_bands (
        attachment_id uuid NOT NULL,
        band smallint NOT NULL,
        value smallint NOT NULL,
        perceptual_hash bigint NOT NULL,
        CONSTRAINT appeal_attachment_hash_bands_pkey PRIMARY KEY (attachment_id, band),
        CONSTRAINT appeal_attachment_hash_bands_band_check CHECK (band BETWEEN 0 AND 8),
        CONSTRAINT appeal_attachment_hash_bands_attachment_id_fkey FOREIGN KEY (attachment_id) REFERENCES appeal_attachments (id) ON DELETE CASCADE
      )`);
    // One lookup per band; the hash and the attachment ride along so the distance is checked in the index alone.
    await queryRunner.query(
      `CREATE INDEX appeal_attachment_hash_bands_lookup_idx ON appeal_attachment_hash_bands (band, value) INCLUDE (perceptual_hash, attachment_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE appeal_attachment_previews (
        attachment_id uuid NOT NULL,
        width int NOT NULL,
        height int NOT NULL,
        blurred bytea NOT NULL,
        clear bytea NOT NULL,
        CONSTRAINT appeal_attachment_previews_pkey PRIMARY KEY (attachment_id),
        CONSTRAINT appeal_attachment_previews_attachment_id_fkey FOREIGN KEY (attachment_id) REFERENCES appeal_attachments (id) ON DELETE CASCADE
      )`);

    await queryRunner.query(`CREATE INDEX sessions_account_created_idx ON sessions (account_uid, created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX sessions_account_created_idx`);
    await queryRunner.query(`DROP TABLE appeal_attachment_previews`);
    await queryRunner.query(`DROP TABLE appeal_attachment_hash_bands`);
    await queryRunner.query(`DROP INDEX appeal_attachments_sha256_idx`);
    await queryRunner.query(`ALTER TABLE appeal_attachments DROP COLUMN perceptual_hash, DROP COLUMN edit_evidence`);
    for (const signal of SIGNALS) await queryRunner.query(`DROP INDEX appeals_risk_${signal}_idx`);
    await queryRunner.query(`ALTER TABLE appeals DROP COLUMN risk_signals`);
  }
}
