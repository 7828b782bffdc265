import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { BackofficeModule } from '../backoffice/backoffice.module';
import { AdminController } from './admin.controller';
import { AdminTokenGuard } from './admin-token.guard';

/** The admin API (`/api/admin`), behind ADMIN_API_TOKEN. */
@Module({
  imports: [AccountsModule, BackofficeModule],
  controllers: [AdminController],
  providers: [AdminTokenGuard],
})
export class AdminModule {}
