import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

/** `customer` and `agent` messages make the public thread; `note`s are internal. */
export type AppealMessageAuthor = 'customer' | 'agent' | 'note';

@Entity({ name: 'appeal_messages' })
@Check('appeal_messages_author_check', `"author" IN ('customer', 'agent', 'note')`)
@Index('appeal_messages_appeal_idx', ['appealId', 'createdAt'])
export class AppealMessage {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  @ForeignKey('Appeal', { name: 'appeal_messages_appeal_id_fkey', onDelete: 'CASCADE' })
  appealId!: string;

  @Column({ type: 'varchar', length: 8 })
  author!: AppealMessageAuthor;

  /** The agent who wrote an `agent` message or a note; never shown to the person. */
  @Column({ type: 'uuid', nullable: true })
  @ForeignKey('Agent', { name: 'appeal_messages_agent_id_fkey' })
  agentId!: string | null;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;
}
