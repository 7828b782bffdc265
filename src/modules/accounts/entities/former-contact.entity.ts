import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ContactKind = 'logon_email' | 'secure_phone';

/**
 * A logon email or secure phone an account used to have, kept when it is replaced: appeals name
 * accounts by former contacts, and the objection notice goes to the contacts on record.
 */
@Entity({ name: 'former_contacts' })
@Check('former_contacts_kind_check', `"kind" IN ('logon_email', 'secure_phone')`)
@Index('former_contacts_value_idx', { synchronize: false })
@Index('former_contacts_account_idx', ['accountUid', 'replacedAt'])
export class FormerContact {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  @ForeignKey('Account', { name: 'former_contacts_account_uid_fkey', onDelete: 'CASCADE' })
  accountUid!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: ContactKind;

  /** As it was stored: a normalised email, or an E.164 phone. */
  @Column({ type: 'varchar', length: 320 })
  value!: string;

  @Column({ type: 'timestamptz' })
  replacedAt!: Date;
}
