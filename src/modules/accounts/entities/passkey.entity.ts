import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { counterCheck, StoredPasskey } from '../../../common/webauthn/stored-passkey';

/**
 * A passkey of an account owner: a discoverable WebAuthn credential with user verification. It
 * signs the owner in without a password and answers identity verifications. Only its public key
 * is stored; a signature counter that does not increase marks it `suspect` (a cloned
 * authenticator).
 */
@Entity({ name: 'passkeys' })
@counterCheck('passkeys')
@Index('passkeys_credential_key', ['credentialId'], { unique: true })
@Index('passkeys_account_idx', ['accountUid', 'createdAt'])
export class Passkey extends StoredPasskey {
  @Column({ type: 'char', length: 16 })
  @ForeignKey('Account', { name: 'passkeys_account_uid_fkey', onDelete: 'CASCADE' })
  accountUid!: string;

  /** Synced to the owner's other devices by its provider (a "multi-device" credential). */
  @Column({ type: 'boolean', default: false })
  backedUp!: boolean;

  /** Its counter went backwards once: a copy of it may exist. */
  @Column({ type: 'boolean', default: false })
  suspect!: boolean;
}
