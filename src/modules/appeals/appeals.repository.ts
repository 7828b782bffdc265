import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { NotFoundError } from '../../common/errors/domain-error';
import { AppealEventsService, ChangedBy } from './appeal-events.service';
import { AppealMessage, AppealMessageAuthor } from './entities/appeal-message.entity';
import { Appeal } from './entities/appeal.entity';

/** Every column an appeal's change may write; `version` and `updatedAt` are the repository's. */
export type AppealPatch = Partial<Omit<Appeal, 'id' | 'reference' | 'accessTokenHash' | 'version' | 'createdAt' | 'updatedAt'>>;

export const REFERENCE = /^AP-[A-Z2-7]{10}$/;

/**
 * Reads and writes of appeals through the caller's transaction. Every write goes through
 * `advance`, which bumps the version: an agent acting on what they saw before any change (a
 * note, a message from the person, a new file) is told so instead of acting blind.
 */
@Injectable()
export class AppealsRepository {
  constructor(
    private readonly clock: Clock,
    private readonly events: AppealEventsService,
  ) {}

  /** The appeal, its row locked until the transaction ends; NotFoundError when there is none. */
  async lockByReference(manager: EntityManager, reference: string): Promise<Appeal> {
    const appeal = REFERENCE.test(reference)
      ? await manager.findOne(Appeal, { where: { reference }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!appeal) throw new NotFoundError('There is no such appeal.');
    return appeal;
  }

  async lockById(manager: EntityManager, id: string): Promise<Appeal | null> {
    return manager.findOne(Appeal, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async findByReference(manager: EntityManager, reference: string): Promise<Appeal> {
    const appeal = REFERENCE.test(reference) ? await manager.findOneBy(Appeal, { reference }) : null;
    if (!appeal) throw new NotFoundError('There is no such appeal.');
    return appeal;
  }

  /**
   * Writes `patch` to a locked appeal with the next version; returns the appeal as it now is, a
   * new object: `appeal` stays what was read, so a caller reads the new state only from the answer.
   */
  async advance(manager: EntityManager, appeal: Appeal, patch: AppealPatch, by: ChangedBy = { label: 'the system' }): Promise<Appeal> {
    const now = this.clock.now();
    const version = appeal.version + 1;
    await manager.update(Appeal, { id: appeal.id, version: appeal.version }, { ...patch, version, updatedAt: now });
    const advanced = Object.assign(new Appeal(), appeal, patch, { version, updatedAt: now });
    // The back-office's live queue hears of it once the transaction commits.
    const holder = advanced.leaseAgentId && advanced.leaseExpiresAt && advanced.leaseExpiresAt > now ? advanced.leaseAgentId : null;
    this.events.changed(manager, { reference: advanced.reference, status: advanced.status, version, by, holder });
    return advanced;
  }

  async addMessage(
    manager: EntityManager,
    appealId: string,
    author: AppealMessageAuthor,
    body: string,
    agentId: string | null = null,
  ): Promise<AppealMessage> {
    const message = Object.assign(new AppealMessage(), {
      id: randomUUID(),
      appealId,
      author,
      agentId,
      body,
      createdAt: this.clock.now(),
    } satisfies AppealMessage);
    await manager.insert(AppealMessage, message);
    return message;
  }

  /** The thread, oldest first; internal notes only when asked for. */
  messages(manager: EntityManager, appealId: string, withNotes: boolean): Promise<AppealMessage[]> {
    const query = manager
      .createQueryBuilder(AppealMessage, 'message')
      .where('message.appealId = :appealId', { appealId })
      .orderBy('message.createdAt', 'ASC')
      .addOrderBy('message.id', 'ASC');
    if (!withNotes) query.andWhere(`message.author <> 'note'`);
    return query.getMany();
  }
}
