import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AgentsModule } from '../agents/agents.module';
import { AdminController } from './admin.controller';
import { AdminTokenGuard } from './admin-token.guard';

/** The admin API (`/api/admin`), behind ADMIN_API_TOKEN. */
@Module({
  imports: [AccountsModule, AgentsModule],
  controllers: [AdminController],
  providers: [AdminTokenGuard],
})
export class AdminModule {}
