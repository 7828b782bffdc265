import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FlashService } from '../../common/http/flash.service';
import { formErrors } from '../../common/http/form-errors';
import { AgentsService } from '../agents/agents.service';
import { SignedInAgent } from '../agents/signed-in-agent';
import { agentContext, CurrentAgent, RequireRole } from './agent-auth.guard';
import { AgentPages } from './agent-pages.decorator';
import { WorkloadForm } from './dto/workload.form';

/** Languages and capacity for auto-assignment: each agent their own on /agent/me, admins anyone's on /agent/team. */
@AgentPages()
@Controller('agent')
export class WorkloadPagesController {
  constructor(
    private readonly agents: AgentsService,
    private readonly flash: FlashService,
  ) {}

  @Post('me/workload')
  @RequireRole('agent')
  own(@Body() form: WorkloadForm, @CurrentAgent() agent: SignedInAgent, @Req() request: Request, @Res() response: Response) {
    return this.save(agent.id, form, agent, request, response, '/agent/me');
  }

  @Post('team/:id/workload')
  @RequireRole('admin')
  anyone(
    @Param('id') id: string,
    @Body() form: WorkloadForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    return this.save(id, form, agent, request, response, '/agent/team');
  }

  private async save(id: string, form: WorkloadForm, agent: SignedInAgent, request: Request, response: Response, back: string) {
    try {
      const changed = await this.agents.setWorkload(
        id,
        { languages: form.languages, capacity: form.capacity },
        agentContext(agent, request),
      );
      this.flash.set(response, {
        kind: 'success',
        message: `${changed.id === agent.id ? 'Your' : `${changed.name}'s`} languages (${changed.languages}) and capacity (${changed.capacity}) are saved.`,
      });
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      this.flash.set(response, { kind: 'error', message: Object.values(errors).join(' ') });
    }
    response.redirect(303, back);
  }
}
