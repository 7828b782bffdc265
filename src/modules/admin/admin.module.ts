import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AgentsModule } from '../agents/agents.module';
import { AuditModule } from '../audit/audit.module';
import { AdminController } from './admin.controller';
import { AdminTokenGuard } from './admin-token.guard';
import { AuditAdminController } from './audit-admin.controller';

/** The admin API (`/api/admin`), behind ADMIN_API_TOKEN. */
@Module({
  imports: [AccountsModule, AgentsModule, AuditModule],
  controllers: [AdminController, AuditAdminController],
  providers: [AdminTokenGuard],
})
export class AdminModule {}
