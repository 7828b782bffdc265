import { Controller, Get, Render } from '@nestjs/common';
import { CurrentAgent, RequireRole } from './agent-auth.guard';
import { AgentPages } from './agent-pages.decorator';
import { DashboardPanels } from './dashboard/dashboard-panels';
import { SignedInAgent } from '../agents/signed-in-agent';

@AgentPages()
@RequireRole('agent')
@Controller('agent')
export class DashboardPagesController {
  constructor(private readonly panels: DashboardPanels) {}

  @Get()
  @Render('agent/dashboard')
  async page(@CurrentAgent() agent: SignedInAgent) {
    return { title: 'Dashboard', panels: await this.panels.render(agent) };
  }
}
