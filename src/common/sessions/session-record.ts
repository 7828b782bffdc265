import { Column } from 'typeorm';

/**
 * The columns every session table has beside its id, token hash and owner (user sessions, agent
 * sessions): where it was opened, and its lifetime. A session is live while not revoked, before
 * `expiresAt` (absolute) and within the idle timeout of `lastSeenAt`.
 */
export abstract class SessionRecord {
  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  /** Moved forward at most once per touch interval (see SessionLifetime), to keep requests cheap. */
  @Column({ type: 'timestamptz' })
  lastSeenAt!: Date;

  /** The absolute expiry. */
  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  revokedReason!: string | null;
}
