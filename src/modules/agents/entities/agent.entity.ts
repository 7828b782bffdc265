import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const AGENT_ROLES = ['agent', 'supervisor', 'admin'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/** A back-office user: works appeals (agent), confirms and unfreezes (supervisor), manages the team (admin). */
@Entity({ name: 'agents' })
// UNIQUE (lower(email)): an expression index, declared in the migration.
@Index('agents_email_key', { synchronize: false })
@Check('agents_role_check', `"role" IN ('agent', 'supervisor', 'admin')`)
export class Agent {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: AgentRole;

  /** argon2id (m = 19456 KiB, t = 2, p = 1). */
  @Column({ type: 'text' })
  passwordHash!: string;

  /** Sealed with CryptoService.seal; null until the agent enrols TOTP. */
  @Column({ type: 'text', nullable: true })
  totpSecret!: string | null;

  @Column({ type: 'boolean' })
  active!: boolean;

  /** Since when the agent holds their role: four eyes refuse a confirmation by an agent whose role is younger than the approval. */
  @Column({ type: 'timestamptz' })
  roleGrantedAt!: Date;

  /** The agent who created them with this role (the team page); null when made by the admin API or the CLI. */
  @Column({ type: 'uuid', nullable: true })
  roleGrantedBy!: string | null;

  /** The second admin who agreed to a supervisor or admin made on the team page. */
  @Column({ type: 'uuid', nullable: true })
  roleApprovedBy!: string | null;

  /** A supervisor or admin made on the team page, waiting for a second admin: cannot sign in until then. */
  @Column({ type: 'boolean', default: false })
  awaitingApproval!: boolean;

  /** Set when an admin resets the password to a temporary one: the agent must choose a new one before any other page. */
  @Column({ type: 'boolean', default: false })
  passwordChangeRequired!: boolean;

  /** The languages the agent answers in, comma-separated (`en`, `zh-CN`): auto-assignment matches the appeal's. */
  @Column({ type: 'varchar', length: 32, default: 'en' })
  languages!: string;

  /** How many open appeals auto-assignment may give the agent at once. */
  @Column({ type: 'integer', default: 10 })
  capacity!: number;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}
