import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Account } from './account.entity';

/** A RAM user of an account: signs in as `<loginName>@<uid>` with a password of its own. */
@Entity({ name: 'ram_users' })
// UNIQUE (account_uid, lower(login_name)): an expression index, declared in the migration.
@Index('ram_users_login_key', { synchronize: false })
export class RamUser {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'char', length: 16 })
  accountUid!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_uid', foreignKeyConstraintName: 'ram_users_account_fk' })
  account?: Account;

  @Column({ type: 'varchar', length: 64 })
  loginName!: string;

  @Column({ type: 'text' })
  passwordHash!: string;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}
