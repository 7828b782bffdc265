import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AgentsService } from './agents.service';

/** The back-office: agents for now; their sign-in and pages come later. */
@Module({
  imports: [AuditModule],
  providers: [AgentsService],
  exports: [AgentsService],
})
export class BackofficeModule {}
