import { Controller, Get, Query, Render } from '@nestjs/common';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { RequireRole } from './agent-auth.guard';
import { AgentPages } from './agent-pages.decorator';
import { auditEventView } from './audit-event-view';

const PAGE_SIZE = 50;

/** The audit log, newest first, and whether its hash chain still verifies end to end. */
@AgentPages()
@RequireRole('agent')
@Controller('agent/audit')
export class AuditPagesController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Render('agent/audit')
  async page(@Query('before') before?: string) {
    if (before !== undefined && !/^[1-9]\d{0,18}$/.test(before)) throw new ValidationFailedError([{ field: 'before', message: 'is not a position in the audit log' }]);
    // The whole chain is recomputed on every view: tampering shows on the next look, not at the next scheduled check.
    const [verification, page] = await Promise.all([this.audit.verify(), this.audit.list({ before, limit: PAGE_SIZE })]);
    return {
      title: 'Audit log',
      verification,
      events: page.events.map(auditEventView),
      next: page.next ? `/agent/audit?before=${page.next}` : null,
      paged: before !== undefined,
    };
  }
}
