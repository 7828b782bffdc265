import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { normaliseEmail } from '../../common/contacts';
import { PasswordHasher } from '../../common/crypto/password-hasher';
import { uniqueViolation } from '../../database/postgres-errors';
import { AuditService, ChangeContext } from '../audit/audit.service';
import { AgentEmailInUseError } from './backoffice.errors';
import { Agent, AgentRole } from './entities/agent.entity';

export interface NewAgent {
  readonly email: string;
  readonly name: string;
  readonly role: AgentRole;
  readonly password: string;
}

/** Back-office agents: created by an admin (API, CLI or, later, the team page). */
@Injectable()
export class AgentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  /** AgentEmailInUseError when another agent has the email (case-insensitively). */
  async create(input: NewAgent, context: ChangeContext): Promise<Agent> {
    const passwordHash = await this.hasher.hash(input.password);
    const now = this.clock.now();
    const agent = Object.assign(new Agent(), {
      id: randomUUID(),
      email: normaliseEmail(input.email),
      name: input.name.trim(),
      role: input.role,
      passwordHash,
      totpSecret: null,
      active: true,
      createdAt: now,
      updatedAt: now,
    } satisfies Agent);
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(Agent, agent);
        await this.audit.record(manager, { action: 'agent.created', actor: context.actor, subject: { type: 'agent', id: agent.id }, data: { role: agent.role }, ip: context.ip });
      });
    } catch (error) {
      if (uniqueViolation(error) === 'agents_email_key') throw new AgentEmailInUseError();
      throw error;
    }
    return agent;
  }
}
