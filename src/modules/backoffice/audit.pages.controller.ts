import { Controller, Get, Post, Query, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { FlashService } from '../../common/http/flash.service';
import { AuditService } from '../audit/audit.service';
import { AuditVerifier } from '../audit/audit-verifier.service';
import { CurrentAgent, RequireRole } from './agent-auth.guard';
import { AgentPages } from './agent-pages.decorator';
import { roleAllows } from '../agents/agent-roles';
import { auditEventView } from './audit-event-view';
import { SignedInAgent } from '../agents/signed-in-agent';

const PAGE_SIZE = 50;

/**
 * The audit log, newest first, and the latest verification of its Merkle tree and signed
 * checkpoints. Viewing never recomputes the log (that reads every event); a supervisor runs a
 * new verification, whose result is kept for every later view.
 */
@AgentPages()
@RequireRole('agent')
@Controller('agent/audit')
export class AuditPagesController {
  constructor(
    private readonly audit: AuditService,
    private readonly verifier: AuditVerifier,
    private readonly flash: FlashService,
  ) {}

  @Get()
  @Render('agent/audit')
  async page(@CurrentAgent() agent: SignedInAgent, @Query('before') before?: string) {
    if (before !== undefined && !/^[1-9]\d{0,18}$/.test(before))
      throw new ValidationFailedError([{ field: 'before', message: 'is not a position in the audit log' }]);
    const [verification, page] = await Promise.all([this.verifier.latest(), this.audit.list({ before, limit: PAGE_SIZE })]);
    return {
      title: 'Audit log',
      verification,
      canVerify: roleAllows(agent.role, 'supervisor'),
      events: page.events.map(auditEventView),
      next: page.next ? `/agent/audit?before=${page.next}` : null,
      paged: before !== undefined,
    };
  }

  @Post('verify')
  @RequireRole('supervisor')
  async verify(@CurrentAgent() agent: SignedInAgent, @Res() response: Response): Promise<void> {
    const result = await this.verifier.verifyAndStore(`agent ${agent.id}`);
    this.flash.set(
      response,
      result.ok
        ? { kind: 'success', message: 'The audit log verifies.' }
        : { kind: 'error', message: 'The audit log does not verify: see below.' },
    );
    response.redirect(303, '/agent/audit');
  }
}
