import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SignedInAgent } from '../agents/signed-in-agent';
import { CurrentAgent, RequireRole } from './agent-auth.guard';
import { AgentPages } from './agent-pages.decorator';
import { LiveStreamsService } from './live-streams.service';

/** `GET /agent/events`: the back-office's live event stream (see LiveStreamsService). */
@AgentPages()
@RequireRole('agent')
@Controller('agent/events')
export class LiveEventsPagesController {
  constructor(private readonly streams: LiveStreamsService) {}

  @Get()
  stream(
    @Query('appeal') appeal: unknown,
    @Query('since') since: unknown,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    return this.streams.stream(
      agent,
      { appeal: typeof appeal === 'string' ? appeal : undefined, since: typeof since === 'string' ? since : undefined },
      request,
      response,
    );
  }
}
