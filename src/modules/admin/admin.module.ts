import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { BackofficeModule } from '../backoffice/backoffice.module';
import { AdminController } from './admin.controller';
import { AdminTokenGuard } from './admin-token.guard';
import { AuditAdminController } from './audit-admin.controller';

/** The admin API (`/api/admin`), behind ADMIN_API_TOKEN. */
@Module({
  imports: [AccountsModule, BackofficeModule, AuditModule],
  controllers: [AdminController, AuditAdminController],
  providers: [AdminTokenGuard],
})
export class AdminModule {}
