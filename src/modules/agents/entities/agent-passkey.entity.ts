import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { counterCheck, StoredPasskey } from '../../../common/webauthn/stored-passkey';

/** A passkey an agent signs in with as their second factor, in place of TOTP. Only its public key is stored. */
@Entity({ name: 'agent_passkeys' })
@counterCheck('agent_passkeys')
@Index('agent_passkeys_credential_key', ['credentialId'], { unique: true })
@Index('agent_passkeys_agent_idx', ['agentId', 'createdAt'])
export class AgentPasskey extends StoredPasskey {
  @Column({ type: 'uuid' })
  @ForeignKey('Agent', { name: 'agent_passkeys_agent_id_fkey', onDelete: 'CASCADE' })
  agentId!: string;
}
