import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { FieldError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { Locale, LOCALES } from '../../common/locales';
import { AuditAction } from '../audit/audit-actions';
import { AuditService } from '../audit/audit.service';
import { ActingAgent } from './appeal-review.service';
import { CannedReply } from './entities/canned-reply.entity';
import { renderReply, replyBodyProblem } from './reply-template';

export interface CannedReplyInput {
  readonly title?: string;
  readonly locale?: string;
  readonly body?: string;
}

/** A reply as offered on an appeal's page: rendered for that appeal. */
export interface OfferedReply {
  readonly id: string;
  readonly title: string;
  readonly text: string;
}

const BODY_MAX = 5000;

/**
 * Canned replies: supervisors keep them (every change audited), agents are offered those in the
 * appeal's language on the request-information and rejection forms, rendered for the appeal.
 * A body may use only the reply variables; that is checked when it is saved.
 */
@Injectable()
export class CannedRepliesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Every reply, by language then title. */
  list(): Promise<CannedReply[]> {
    return this.dataSource.manager.find(CannedReply, { order: { locale: 'ASC', title: 'ASC' } });
  }

  async get(id: string): Promise<CannedReply> {
    const reply = isUUID(id) ? await this.dataSource.manager.findOneBy(CannedReply, { id }) : null;
    if (!reply) throw new NotFoundError('There is no such reply.');
    return reply;
  }

  async create(agent: ActingAgent, input: CannedReplyInput): Promise<CannedReply> {
    const fields = checked(input);
    const now = this.clock.now();
    const reply = Object.assign(new CannedReply(), { id: randomUUID(), ...fields, updatedBy: agent.id, createdAt: now, updatedAt: now });
    await this.dataSource.transaction(async (manager) => {
      await manager.insert(CannedReply, reply);
      await this.record(manager, agent, 'canned_reply.created', reply);
    });
    return reply;
  }

  async update(agent: ActingAgent, id: string, input: CannedReplyInput): Promise<CannedReply> {
    const fields = checked(input);
    return this.dataSource.transaction(async (manager) => {
      const reply = isUUID(id) ? await manager.findOne(CannedReply, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!reply) throw new NotFoundError('There is no such reply.');
      Object.assign(reply, fields, { updatedBy: agent.id, updatedAt: this.clock.now() });
      await manager.save(reply);
      await this.record(manager, agent, 'canned_reply.updated', reply);
      return reply;
    });
  }

  async remove(agent: ActingAgent, id: string): Promise<CannedReply> {
    return this.dataSource.transaction(async (manager) => {
      const reply = isUUID(id) ? await manager.findOne(CannedReply, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!reply) throw new NotFoundError('There is no such reply.');
      await manager.delete(CannedReply, { id });
      await this.record(manager, agent, 'canned_reply.deleted', reply);
      return reply;
    });
  }

  /** The replies in `appeal`'s language, rendered for it with the agent's name. */
  async offeredFor(appeal: { reference: string; locale: Locale; fullName: string }, agentName: string): Promise<OfferedReply[]> {
    const replies = await this.dataSource.manager.find(CannedReply, { where: { locale: appeal.locale }, order: { title: 'ASC' } });
    return replies.map((reply) => ({
      id: reply.id,
      title: reply.title,
      text: renderReply(reply.body, { reference: appeal.reference, fullName: appeal.fullName, agentName }),
    }));
  }

  private record(manager: EntityManager, agent: ActingAgent, action: AuditAction, reply: CannedReply): Promise<void> {
    return this.audit.record(manager, {
      action,
      actor: { type: 'agent', id: agent.id },
      subject: { type: 'canned_reply', id: reply.id },
      data: { title: reply.title, locale: reply.locale },
      ip: agent.ip,
    });
  }
}

function checked(input: CannedReplyInput): Pick<CannedReply, 'title' | 'locale' | 'body'> {
  const title = input.title?.trim() ?? '';
  const body = input.body?.trim() ?? '';
  const errors: FieldError[] = [];
  if (!title || title.length > 100) errors.push({ field: 'title', message: 'Give a title of 1 to 100 characters.' });
  if (!(LOCALES as readonly string[]).includes(input.locale ?? '')) errors.push({ field: 'locale', message: 'Choose English or Chinese.' });
  const problem = body
    ? body.length > BODY_MAX
      ? `Keep the reply under ${BODY_MAX} characters.`
      : replyBodyProblem(body)
    : 'Write the reply.';
  if (problem) errors.push({ field: 'body', message: problem });
  if (errors.length) throw new ValidationFailedError(errors);
  return { title, locale: input.locale as Locale, body };
}
