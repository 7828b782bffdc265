import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { Locale } from '../../../common/locales';

/**
 * A prepared answer supervisors keep for the agents: a title, the language it is written in, and
 * a body that may use the reply variables (`{{reference}}`, `{{fullName}}`, `{{agentName}}`).
 */
@Entity({ name: 'canned_replies' })
@Check('canned_replies_locale_check', `"locale" IN ('en', 'zh-CN')`)
@Index('canned_replies_locale_idx', ['locale', 'title'])
export class CannedReply {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  title!: string;

  @Column({ type: 'varchar', length: 8 })
  locale!: Locale;

  @Column({ type: 'text' })
  body!: string;

  /** The supervisor who last saved it. */
  @Column({ type: 'uuid' })
  @ForeignKey('Agent', { name: 'canned_replies_updated_by_fkey' })
  updatedBy!: string;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}
