import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Account } from './account.entity';

/**
 * A device id + network (IPv4 /24, IPv6 /48) that completed a root sign-in of the account.
 * Sign-ins from it skip the secondary challenge until `trustedUntil`.
 */
@Entity({ name: 'trusted_devices' })
@Index('trusted_devices_key', ['accountUid', 'deviceIdHash', 'network'], { unique: true })
export class TrustedDevice {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'char', length: 16 })
  accountUid!: string;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_uid', foreignKeyConstraintName: 'trusted_devices_account_fk' })
  account?: Account;

  /** HMAC-SHA256 (subkey `device`) of the client's device id; the id itself is a bearer secret of sorts. */
  @Column({ type: 'char', length: 64 })
  deviceIdHash!: string;

  /** `203.0.113.0/24` or `2001:db8:1::/48`. */
  @Column({ type: 'varchar', length: 64 })
  network!: string;

  @Column({ type: 'varchar', length: 200 })
  label!: string;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  lastUsedAt!: Date;

  @Column({ type: 'timestamptz' })
  trustedUntil!: Date;
}
