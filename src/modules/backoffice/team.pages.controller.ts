import { workloadView } from './me.pages.controller';
import { Body, Controller, Get, HttpCode, Param, Post, Render, Req, Res } from '@nestjs/common';
import { isEmail } from 'class-validator';
import type { Request, Response } from 'express';
import { FieldError, ValidationFailedError } from '../../common/errors/domain-error';
import { FlashService } from '../../common/http/flash.service';
import { formErrors } from '../../common/http/form-errors';
import { agentContext, CurrentAgent, RequireRole } from './agent-auth.guard';
import { AgentPages } from './agent-pages.decorator';
import { ROLE_LABELS } from '../agents/agent-roles';
import { AgentsService } from '../agents/agents.service';
import { AgentEmailInUseError, AgentTransitionError } from '../agents/agents.errors';
import { NewAgentForm } from './dto/new-agent.form';
import { AGENT_ROLES, Agent, AgentRole } from '../agents/entities/agent.entity';
import { AgentRoleForm } from './dto/agent-role.form';
import { SignedInAgent } from '../agents/signed-in-agent';

/**
 * Team management for admins: list, add (a supervisor or admin once a second admin approves),
 * change a role and reset a password (each after a confirmation step), deactivate (their sessions
 * end at once) and reactivate agents.
 */
@AgentPages()
@RequireRole('admin')
@Controller('agent/team')
export class TeamPagesController {
  constructor(
    private readonly agents: AgentsService,
    private readonly flash: FlashService,
  ) {}

  @Get()
  @Render('agent/team')
  page(@CurrentAgent() agent: SignedInAgent) {
    return this.view(agent, {}, {});
  }

  @Post()
  async create(
    @Body() form: NewAgentForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const entered = { email: form.email?.trim() ?? '', name: form.name?.trim() ?? '', role: form.role ?? 'agent' };
    try {
      const input = checked(form);
      const created = await this.agents.createWithPolicy(input, agentContext(agent, request));
      const message = created.awaitingApproval
        ? `${created.name} is added as ${ROLE_LABELS[created.role].toLowerCase()}; they can sign in once another admin approves the role here.`
        : `${created.name} can now sign in as ${ROLE_LABELS[created.role].toLowerCase()}.`;
      this.flash.set(response, { kind: 'success', message });
      response.redirect(303, '/agent/team');
    } catch (error) {
      const errors = error instanceof AgentEmailInUseError ? { email: error.detail } : formErrors(error);
      if (!errors) throw error;
      response.status(error instanceof AgentEmailInUseError ? 409 : 400).render('agent/team', await this.view(agent, entered, errors));
    }
  }

  /** A second admin agrees to a supervisor or admin made here; the admin who made them cannot (403). */
  @Post(':id/approve')
  async approve(
    @Param('id') id: string,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const changed = await this.agents.approveRole(id, agentContext(agent, request));
    this.flash.set(response, {
      kind: 'success',
      message: `${changed.name} can now sign in as ${ROLE_LABELS[changed.role].toLowerCase()}.`,
    });
    response.redirect(303, '/agent/team');
  }

  /** Deactivation asks first: this page holds the form that does it (no script needed). */
  @Get(':id/deactivate')
  @Render('agent/team-deactivate')
  async confirmDeactivation(@Param('id') id: string) {
    const target = await this.agents.get(id);
    return { title: `Deactivate ${target.name}?`, target: targetView(target) };
  }

  @Post(':id/deactivate')
  async deactivate(
    @Param('id') id: string,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const changed = await this.agents.setActive(id, false, agentContext(agent, request));
    this.flash.set(response, { kind: 'success', message: `${changed.name} is deactivated; their sessions were signed out.` });
    response.redirect(303, '/agent/team');
  }

  @Post(':id/reactivate')
  async reactivate(
    @Param('id') id: string,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const changed = await this.agents.setActive(id, true, agentContext(agent, request));
    this.flash.set(response, { kind: 'success', message: `${changed.name} can sign in again.` });
    response.redirect(303, '/agent/team');
  }

  /** Changing a role asks first, on a page of its own: the new role is chosen there and takes effect when it is sent. */
  @Get(':id/role')
  @Render('agent/team-role')
  async confirmRoleChange(@Param('id') id: string, @CurrentAgent() agent: SignedInAgent) {
    const target = await this.agents.get(id);
    return this.roleView(target, agent, {});
  }

  @Post(':id/role')
  async changeRole(
    @Param('id') id: string,
    @Body() form: AgentRoleForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    try {
      const { agent: changed, from } = await this.agents.changeRole(id, (form.role ?? '') as AgentRole, agentContext(agent, request));
      const now = `${changed.name} is now ${ROLE_LABELS[changed.role].toLowerCase()} (was ${ROLE_LABELS[from].toLowerCase()})`;
      this.flash.set(response, {
        kind: 'success',
        message: changed.awaitingApproval ? `${now}; they can sign in again once another admin approves the role here.` : `${now}.`,
      });
      response.redirect(303, '/agent/team');
    } catch (error) {
      const errors = error instanceof AgentTransitionError ? { role: error.detail } : formErrors(error);
      if (!errors) throw error;
      response
        .status(error instanceof AgentTransitionError ? 409 : 400)
        .render('agent/team-role', this.roleView(await this.agents.get(id), agent, errors));
    }
  }

  /** Resetting a password asks first; the answer shows the temporary password once. */
  @Get(':id/reset-password')
  @Render('agent/team-reset-password')
  async confirmPasswordReset(@Param('id') id: string, @CurrentAgent() agent: SignedInAgent) {
    const target = await this.agents.get(id);
    if (target.id === agent.id) throw new AgentTransitionError('Change your own password on your Me page.');
    return { title: `Reset the password of ${target.name}?`, target: targetView(target) };
  }

  /** The temporary password is in this response only (no-store, like every page): nothing to reload or bookmark. */
  @Post(':id/reset-password')
  @HttpCode(200)
  @Render('agent/team-temporary-password')
  async resetPassword(@Param('id') id: string, @CurrentAgent() agent: SignedInAgent, @Req() request: Request) {
    const { agent: target, temporaryPassword } = await this.agents.resetPassword(id, agentContext(agent, request));
    return { title: `Temporary password for ${target.name}`, target: targetView(target), temporaryPassword };
  }

  private roleView(target: Agent, agent: SignedInAgent, errors: Record<string, string>) {
    return {
      title: `Change the role of ${target.name}?`,
      target: targetView(target),
      self: target.id === agent.id,
      roles: AGENT_ROLES.filter((role) => role !== target.role).map((role) => ({ value: role, label: ROLE_LABELS[role] })),
      errors,
    };
  }

  private async view(agent: SignedInAgent, entered: { email?: string; name?: string; role?: string }, errors: Record<string, string>) {
    const agents = await this.agents.list();
    return {
      title: 'Team',
      agents: agents.map((one) => ({
        id: one.id,
        name: one.name,
        email: one.email,
        role: ROLE_LABELS[one.role],
        active: one.active,
        awaitingApproval: one.awaitingApproval,
        canApprove: one.awaitingApproval && one.roleGrantedBy !== agent.id && one.id !== agent.id,
        totpEnabled: one.totpSecret !== null,
        createdAt: one.createdAt,
        self: one.id === agent.id,
        workload: workloadView(one, `/agent/team/${one.id}/workload`, one.name),
        languages: one.languages,
        capacity: one.capacity,
      })),
      roles: AGENT_ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role], selected: role === (entered.role ?? 'agent') })),
      entered,
      errors,
    };
  }
}

function targetView(target: Agent) {
  return { id: target.id, name: target.name, email: target.email, role: ROLE_LABELS[target.role] };
}

function checked(form: NewAgentForm): { email: string; name: string; role: AgentRole; password: string } {
  const email = form.email?.trim() ?? '';
  const name = form.name?.trim() ?? '';
  const errors: FieldError[] = [];
  if (!isEmail(email) || email.length > 254) errors.push({ field: 'email', message: 'Enter an email address such as lin@example.com.' });
  if (!name || name.length > 100) errors.push({ field: 'name', message: 'Enter a name of 1 to 100 characters.' });
  if (!(AGENT_ROLES as readonly string[]).includes(form.role ?? ''))
    errors.push({ field: 'role', message: 'Choose agent, supervisor or admin.' });
  if (!form.password) errors.push({ field: 'password', message: 'Enter a first password for the agent.' });
  if (errors.length) throw new ValidationFailedError(errors);
  return { email, name, role: form.role as AgentRole, password: form.password! };
}
