import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { randomInt, randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { Clock } from '../../common/clock';
import { normaliseEmail } from '../../common/contacts';
import { LOCALES } from '../../common/locales';
import { CryptoService } from '../../common/crypto/crypto.service';
import { PasswordHasher } from '../../common/crypto/password-hasher';
import { ForbiddenError, NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { uniqueViolation } from '../../database/postgres-errors';
import { PasswordPolicy } from '../accounts/password-policy';
import { AuditService, ChangeContext } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { AgentSessionsService, IssuedAgentSession } from './agent-sessions.service';
import { AgentTotpService } from './agent-totp.service';
import { AgentEmailInUseError, AgentTransitionError } from './agents.errors';
import { AGENT_ROLES, Agent, AgentRole } from './entities/agent.entity';
import { roleAllows } from './agent-roles';
import { SignedInAgent } from './signed-in-agent';

export interface NewAgent {
  readonly email: string;
  readonly name: string;
  readonly role: AgentRole;
  readonly password: string;
}

/** What an agent sees to set up their authenticator app; `enrolment` goes back with the first code. */
export interface TotpEnrolment {
  readonly secret: string;
  readonly uri: string;
  /** The secret sealed with the agent's id and an expiry: the form carries it, nothing is stored until activation. */
  readonly enrolment: string;
}

const ENROLMENT_TTL_MS = 15 * 60_000;

/** Letters and digits that cannot be mistaken for one another when read off a screen. */
const TEMPORARY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A temporary password: four groups of five from TEMPORARY_ALPHABET (about 99 bits), such as `k7mqz-…`. */
function temporaryPasswordText(): string {
  const characters = Array.from({ length: 20 }, () => TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)]);
  return [0, 5, 10, 15].map((start) => characters.slice(start, start + 5).join('')).join('-');
}

/** Back-office agents: created by an admin (API, CLI or the team page), who also deactivates them; each agent keeps their own password and TOTP. */
@Injectable()
export class AgentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    private readonly sessions: AgentSessionsService,
    private readonly policy: PasswordPolicy,
    private readonly crypto: CryptoService,
    private readonly totp: AgentTotpService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * AgentEmailInUseError when another agent has the email (case-insensitively). With
   * `secondAdmin` (the team page), a supervisor or admin waits for another admin's approval
   * before they can sign in: one admin alone cannot make the second pair of eyes. Every
   * active admin is told of a new supervisor or admin (`agent-role-granted`).
   */
  async create(input: NewAgent, context: ChangeContext, options: { secondAdmin?: boolean } = {}): Promise<Agent> {
    const passwordHash = await this.hasher.hash(input.password);
    const now = this.clock.now();
    const awaitingApproval = (options.secondAdmin ?? false) && input.role !== 'agent';
    const agent = Object.assign(new Agent(), {
      id: randomUUID(),
      email: normaliseEmail(input.email),
      name: input.name.trim(),
      role: input.role,
      passwordHash,
      totpSecret: null,
      active: true,
      roleGrantedAt: now,
      roleGrantedBy: context.actor.type === 'agent' ? (context.actor.id ?? null) : null,
      roleApprovedBy: null,
      awaitingApproval,
      passwordChangeRequired: false,
      languages: 'en',
      capacity: 10,
      createdAt: now,
      updatedAt: now,
    } satisfies Agent);
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(Agent, agent);
        await this.audit.record(manager, {
          action: 'agent.created',
          actor: context.actor,
          subject: { type: 'agent', id: agent.id },
          data: { role: agent.role, ...(awaitingApproval ? { awaitingApproval } : {}) },
          ip: context.ip,
        });
        if (agent.role !== 'agent') await this.tellAdmins(manager, agent, context, awaitingApproval);
      });
    } catch (error) {
      if (uniqueViolation(error) === 'agents_email_key') throw new AgentEmailInUseError();
      throw error;
    }
    return agent;
  }

  /** As `create`, after the password policy (the new agent's email and id as identity): what the team page does, a second admin agreeing to a supervisor or admin. */
  async createWithPolicy(input: NewAgent, context: ChangeContext): Promise<Agent> {
    await this.assertPassword(input.password, { email: input.email, id: '' }, 'password');
    return this.create(input, context, { secondAdmin: true });
  }

  /**
   * A second admin agrees to a supervisor or admin made on the team page: the role takes
   * effect now (four eyes count its age from here). The admin who made them cannot.
   */
  async approveRole(id: string, context: ChangeContext): Promise<Agent> {
    return this.dataSource.transaction(async (manager) => {
      const agent = isUUID(id) ? await manager.findOne(Agent, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!agent) throw new NotFoundError('There is no such agent.');
      if (!agent.awaitingApproval) throw new AgentTransitionError(`${agent.name} does not wait for an approval.`);
      if (context.actor.id === agent.roleGrantedBy)
        throw new ForbiddenError(`Another admin must agree: you made ${agent.name} ${agent.role} yourself.`);
      if (context.actor.id === agent.id) throw new ForbiddenError('Another admin must agree to your own role.');
      const now = this.clock.now();
      const approved = { awaitingApproval: false, roleApprovedBy: context.actor.id ?? null, roleGrantedAt: now, updatedAt: now };
      await manager.update(Agent, { id }, approved);
      await this.audit.record(manager, {
        action: 'agent.role_approved',
        actor: context.actor,
        subject: { type: 'agent', id },
        data: { role: agent.role, grantedBy: agent.roleGrantedBy },
        ip: context.ip,
      });
      return { ...agent, ...approved };
    });
  }

  /** `agent-role-granted` to every active admin (the one who granted it included: a stolen session acting shows up in their mailbox too). */
  private async tellAdmins(manager: EntityManager, agent: Agent, context: ChangeContext, awaitingApproval: boolean): Promise<void> {
    const admins: { email: string }[] = await manager.query(
      `SELECT email FROM agents WHERE role = 'admin' AND active AND NOT awaiting_approval AND id <> $1`,
      [agent.id],
    );
    const [granter]: { name: string }[] =
      context.actor.type === 'agent' && context.actor.id
        ? await manager.query(`SELECT name FROM agents WHERE id = $1`, [context.actor.id])
        : [];
    const variables = {
      name: agent.name,
      email: agent.email,
      role: agent.role,
      grantedBy:
        granter?.name ??
        (context.actor.id === 'cli'
          ? 'The command line (agent:create)'
          : context.actor.id === 'admin-api'
            ? 'The admin API'
            : 'The system'),
      at: agent.roleGrantedAt.toISOString(),
      awaitingApproval,
    };
    for (const admin of admins) {
      await this.notifications.notify(manager, {
        template: 'agent-role-granted',
        channel: 'email',
        to: admin.email,
        locale: 'en',
        variables,
      });
    }
  }

  findByEmail(email: string): Promise<Agent | null> {
    return this.dataSource.manager
      .createQueryBuilder(Agent, 'agent')
      .where('lower(agent.email) = lower(:email)', { email: normaliseEmail(email) })
      .getOne();
  }

  async get(id: string): Promise<Agent> {
    const agent = isUUID(id) ? await this.dataSource.manager.findOneBy(Agent, { id }) : null;
    if (!agent) throw new NotFoundError('There is no such agent.');
    return agent;
  }

  /** Every agent, active ones first, by name. */
  list(): Promise<Agent[]> {
    return this.dataSource.manager.find(Agent, { order: { active: 'DESC', name: 'ASC', email: 'ASC' } });
  }

  /** The names of the agents among `ids` (unknown ids are left out), for pages that show who did what. */
  async namesOf(ids: readonly (string | null)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    if (!wanted.length) return new Map();
    const agents = await this.dataSource.manager.find(Agent, { select: { id: true, name: true }, where: { id: In(wanted) } });
    return new Map(agents.map((agent) => [agent.id, agent.name]));
  }

  /** The names and emails of the agents among `ids` (unknown ids are left out): the audit page says who acted by name. */
  async identitiesOf(ids: readonly string[]): Promise<Map<string, { name: string; email: string }>> {
    const wanted = [...new Set(ids.filter((id) => isUUID(id)))];
    if (!wanted.length) return new Map();
    const agents = await this.dataSource.manager.find(Agent, { select: { id: true, name: true, email: true }, where: { id: In(wanted) } });
    return new Map(agents.map((agent) => [agent.id, { name: agent.name, email: agent.email }]));
  }

  /**
   * How the agent came by their role, through the caller's transaction (four eyes check it):
   * who granted it, who approved it, when; undefined for an unknown agent.
   */
  async roleGrant(manager: EntityManager, id: string): Promise<{ by: string | null; approvedBy: string | null; at: Date } | undefined> {
    const agent = await manager.findOne(Agent, {
      where: { id },
      select: { roleGrantedBy: true, roleApprovedBy: true, roleGrantedAt: true },
    });
    return agent ? { by: agent.roleGrantedBy, approvedBy: agent.roleApprovedBy, at: agent.roleGrantedAt } : undefined;
  }

  /** The email addresses of the active supervisors, by address; through `manager` inside a caller's transaction. */
  async activeSupervisorEmails(manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    const supervisors = await manager.find(Agent, {
      select: { email: true },
      where: { role: 'supervisor', active: true },
      order: { email: 'ASC' },
    });
    return supervisors.map((agent) => agent.email);
  }

  /**
   * The agents among `ids` who may be given an appeal in `language` (active, approved, answering
   * in it) and their capacity, locked through the caller's transaction in one order (by id) so that
   * two auto-assigners never wait for each other's locks.
   */
  async lockAssignable(manager: EntityManager, ids: readonly string[], language: string): Promise<{ id: string; capacity: number }[]> {
    return manager.query(
      `SELECT id, capacity FROM agents
        WHERE id = ANY($1) AND active AND NOT awaiting_approval AND $2 = ANY(string_to_array(languages, ','))
        ORDER BY id
        FOR UPDATE`,
      [ids, language],
    );
  }

  /**
   * The languages an agent answers in and how many open appeals auto-assignment may give them
   * (the agent on /agent/me, an admin on /agent/team); audited.
   */
  async setWorkload(id: string, input: { languages?: string[]; capacity?: string | number }, context: ChangeContext): Promise<Agent> {
    const languages = [...new Set(input.languages ?? [])];
    const capacity = Number(input.capacity);
    const errors: { field: string; message: string }[] = [];
    if (!languages.length || !languages.every((language) => (LOCALES as readonly string[]).includes(language)))
      errors.push({ field: 'languages', message: 'Choose at least one language: English or Chinese.' });
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > 100)
      errors.push({ field: 'capacity', message: 'Give a capacity from 0 to 100 open appeals.' });
    if (errors.length) throw new ValidationFailedError(errors);
    return this.dataSource.transaction(async (manager) => {
      const agent = await manager.findOne(Agent, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!agent) throw new NotFoundError('There is no such agent.');
      Object.assign(agent, { languages: languages.join(','), capacity, updatedAt: this.clock.now() });
      await manager.save(agent);
      await this.audit.record(manager, {
        action: 'agent.workload_changed',
        actor: context.actor,
        subject: { type: 'agent', id },
        data: { languages, capacity },
        ip: context.ip,
      });
      return agent;
    });
  }

  /** Deactivation ends every session of the agent in the same transaction; an admin cannot deactivate themselves. */
  async setActive(id: string, active: boolean, context: ChangeContext): Promise<Agent> {
    if (!active && context.actor.id === id) throw new AgentTransitionError('You cannot deactivate yourself; ask another admin.');
    return this.dataSource.transaction(async (manager) => {
      const agent = isUUID(id) ? await manager.findOne(Agent, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!agent) throw new NotFoundError('There is no such agent.');
      if (agent.active === active) throw new AgentTransitionError(`${agent.name} is already ${active ? 'active' : 'deactivated'}.`);
      await manager.update(Agent, { id }, { active, updatedAt: this.clock.now() });
      const revokedSessions = active ? 0 : await this.sessions.revokeAll(manager, id, 'deactivated');
      await this.audit.record(manager, {
        action: active ? 'agent.reactivated' : 'agent.deactivated',
        actor: context.actor,
        subject: { type: 'agent', id },
        data: active ? {} : { revokedSessions },
        ip: context.ip,
      });
      return { ...agent, active };
    });
  }

  /**
   * An admin changes another agent's role (the team page, after a confirmation step), audited as
   * `agent.role_changed`. A lower role takes effect at once. A higher one, like a supervisor or
   * admin created on the team page, waits for a second admin (`approveRole`): until then the agent
   * cannot sign in and their sessions end now, so one admin alone never makes a second pair of eyes
   * (the admin who asked cannot approve). Every active admin is told of a new supervisor or admin.
   * Either way four eyes count the role's age from the change. Nobody changes their own role, and
   * the last active admin stays one: the active admins' rows are locked, so two admins demoting
   * each other at once cannot leave none.
   */
  async changeRole(id: string, role: AgentRole, context: ChangeContext): Promise<{ agent: Agent; from: AgentRole }> {
    if (!(AGENT_ROLES as readonly string[]).includes(role))
      throw new ValidationFailedError([{ field: 'role', message: 'Choose agent, supervisor or admin.' }]);
    if (context.actor.id === id) throw new AgentTransitionError('You cannot change your own role; ask another admin.');
    return this.dataSource.transaction(async (manager) => {
      const admins: { id: string }[] = await manager.query(
        `SELECT id FROM agents WHERE role = 'admin' AND active AND NOT awaiting_approval ORDER BY id FOR UPDATE`,
      );
      const agent = isUUID(id) ? await manager.findOne(Agent, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!agent) throw new NotFoundError('There is no such agent.');
      if (agent.role === role) throw new AgentTransitionError(`${agent.name} is already ${role === 'admin' ? 'an' : 'a'} ${role}.`);
      const promotion = !roleAllows(agent.role, role);
      // A role waiting for its approval may be lowered (which withdraws it), not raised further.
      if (agent.awaitingApproval && promotion)
        throw new AgentTransitionError(`${agent.name} waits for a second admin to approve their role; approve it first.`);
      if (agent.role === 'admin' && !admins.some((admin) => admin.id !== id))
        throw new AgentTransitionError(`${agent.name} is the last active admin: make another admin first.`);
      const now = this.clock.now();
      const changed = {
        role,
        roleGrantedAt: now,
        roleGrantedBy: context.actor.type === 'agent' ? (context.actor.id ?? null) : null,
        roleApprovedBy: null,
        awaitingApproval: promotion,
        updatedAt: now,
      };
      await manager.update(Agent, { id }, changed);
      const revokedSessions = promotion ? await this.sessions.revokeAll(manager, id, 'role_awaiting_approval') : 0;
      await this.audit.record(manager, {
        action: 'agent.role_changed',
        actor: context.actor,
        subject: { type: 'agent', id },
        data: { from: agent.role, to: role, ...(promotion ? { awaitingApproval: true, revokedSessions } : {}) },
        ip: context.ip,
      });
      const updated = { ...agent, ...changed };
      if (promotion) await this.tellAdmins(manager, updated, context, true);
      return { agent: updated, from: agent.role };
    });
  }

  /**
   * An admin resets another agent's password to a temporary one, returned here to be shown once
   * (only its hash is kept): every session of the agent ends, and the agent must choose a password
   * of their own before any other back-office page. An agent changes their own on their Me page.
   */
  async resetPassword(id: string, context: ChangeContext): Promise<{ agent: Agent; temporaryPassword: string }> {
    if (context.actor.id === id) throw new AgentTransitionError('Change your own password on your Me page.');
    const temporaryPassword = temporaryPasswordText();
    const passwordHash = await this.hasher.hash(temporaryPassword);
    return this.dataSource.transaction(async (manager) => {
      const agent = isUUID(id) ? await manager.findOne(Agent, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!agent) throw new NotFoundError('There is no such agent.');
      const changed = { passwordHash, passwordChangeRequired: true, updatedAt: this.clock.now() };
      await manager.update(Agent, { id }, changed);
      const revokedSessions = await this.sessions.revokeAll(manager, id, 'password_reset');
      await this.audit.record(manager, {
        action: 'agent.password_reset',
        actor: context.actor,
        subject: { type: 'agent', id },
        data: { revokedSessions },
        ip: context.ip,
      });
      return { agent: { ...agent, ...changed }, temporaryPassword };
    });
  }

  /**
   * Changes the agent's own password after checking the current one, under the password policy
   * (the agent's email and id as identity); every other session of the agent ends.
   */
  /**
   * Every session of the agent ends, the one asking included: a token stolen before the change is
   * worth nothing after it. The browser that asked goes on with the new session returned.
   */
  async changePassword(
    current: SignedInAgent,
    input: { currentPassword: string; newPassword: string },
    context: ChangeContext & { userAgent?: string },
  ): Promise<IssuedAgentSession> {
    const agent = await this.get(current.id);
    if (!(await this.hasher.verify(agent.passwordHash, input.currentPassword))) {
      throw new ValidationFailedError([{ field: 'currentPassword', message: 'This is not your current password.' }]);
    }
    await this.assertPassword(input.newPassword, agent, 'newPassword', (candidate) => this.hasher.verify(agent.passwordHash, candidate));
    const passwordHash = await this.hasher.hash(input.newPassword);
    return this.dataSource.transaction(async (manager) => {
      await manager.update(Agent, { id: agent.id }, { passwordHash, passwordChangeRequired: false, updatedAt: this.clock.now() });
      const revokedSessions = await this.sessions.revokeAll(manager, agent.id, 'password_changed');
      await this.audit.record(manager, {
        action: 'agent.password_changed',
        actor: context.actor,
        subject: { type: 'agent', id: agent.id },
        data: { revokedSessions },
        ip: context.ip,
      });
      return this.sessions.create(manager, agent.id, { ip: context.ip, userAgent: context.userAgent });
    });
  }

  /** A fresh secret for the agent's authenticator app; nothing changes until `activateTotp`. */
  startTotpEnrolment(agent: SignedInAgent): TotpEnrolment {
    const secret = this.totp.newSecret();
    const enrolment = this.crypto.seal(JSON.stringify({ agentId: agent.id, secret, expiresAt: this.clock.nowMs() + ENROLMENT_TTL_MS }));
    return { secret, uri: this.totp.uri(secret, agent.email), enrolment };
  }

  /** The same enrolment again (the form is shown again after an error). */
  resumeTotpEnrolment(agent: SignedInAgent, secret: string, enrolment: string): TotpEnrolment {
    return { secret, uri: this.totp.uri(secret, agent.email), enrolment };
  }

  /** The secret of an enrolment this agent started (and that has not expired), or undefined. */
  enrolmentSecret(agent: SignedInAgent, enrolment: string): string | undefined {
    try {
      const opened = JSON.parse(this.crypto.unseal(enrolment)) as { agentId: string; secret: string; expiresAt: number };
      return opened.agentId === agent.id && opened.expiresAt > this.clock.nowMs() ? opened.secret : undefined;
    } catch {
      return undefined;
    }
  }

  /** Turns TOTP on (or replaces the secret) once the first code from the app checks out. */
  async activateTotp(agent: SignedInAgent, input: { enrolment: string; code: string }, context: ChangeContext): Promise<void> {
    const secret = this.enrolmentSecret(agent, input.enrolment);
    if (!secret)
      throw new ValidationFailedError([{ field: 'code', message: 'This set-up has expired. Start again with the new secret below.' }]);
    if (!(await this.totp.check(agent.id, secret, input.code.trim()))) {
      throw new ValidationFailedError([{ field: 'code', message: 'This code is not correct. Enter the 6-digit code your app shows now.' }]);
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.update(Agent, { id: agent.id }, { totpSecret: this.crypto.seal(secret), updatedAt: this.clock.now() });
      await this.audit.record(manager, {
        action: 'agent.totp_enabled',
        actor: context.actor,
        subject: { type: 'agent', id: agent.id },
        data: { replaced: agent.totpEnabled },
        ip: context.ip,
      });
    });
  }

  /** The agent's TOTP secret in clear, or null when they have not enrolled. */
  totpSecretOf(agent: Pick<Agent, 'totpSecret'>): string | null {
    return agent.totpSecret === null ? null : this.crypto.unseal(agent.totpSecret);
  }

  private async assertPassword(
    password: string,
    agent: { email: string; id: string },
    field: string,
    isCurrentPassword?: (candidate: string) => Promise<boolean>,
  ): Promise<void> {
    const violations = await this.policy.violations(password, { logonEmail: agent.email, uid: agent.id, isCurrentPassword });
    if (violations.length) {
      throw new ValidationFailedError(
        violations.map((violation) => ({
          field,
          message: violation.rule === 'contains_identity' ? 'Do not use your email address in the password.' : violation.message,
        })),
      );
    }
  }
}
