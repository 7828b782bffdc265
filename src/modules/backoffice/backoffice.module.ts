import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AgentsModule } from '../agents/agents.module';
import { PasswordPolicyModule } from '../accounts/password-policy.module';
import { AppealsModule } from '../appeals/appeals.module';
import { AuditModule } from '../audit/audit.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { AccountSupportService } from './account-support.service';
import { AuditEventViews } from './audit-event-view';
import { AccountsPagesController } from './accounts.pages.controller';
import { AgentAuthGuard } from './agent-auth.guard';
import { AgentLayout } from './agent-layout.service';
import { AgentSignInPagesController } from './agent-sign-in.pages.controller';
import { AppealsPagesController } from './appeals.pages.controller';
import { AuditPagesController } from './audit.pages.controller';
import { DashboardPagesController } from './dashboard.pages.controller';
import { AppealsPanel } from './dashboard/appeals.panel';
import { DashboardPanels } from './dashboard/dashboard-panels';
import { NotificationFailuresPanel } from './dashboard/notification-failures.panel';
import { SignInActivityPanel } from './dashboard/sign-in-activity.panel';
import { AgentPasskeysPagesController } from './agent-passkeys.pages.controller';
import { LiveEventsPagesController } from './live-events.pages.controller';
import { LiveStreamsService } from './live-streams.service';
import { WorkloadPagesController } from './workload.pages.controller';
import { RepliesPagesController } from './replies.pages.controller';
import { ReportsPagesController } from './reports.pages.controller';
import { MePagesController } from './me.pages.controller';
import { NotificationsPagesController } from './notifications.pages.controller';
import { TeamPagesController } from './team.pages.controller';

/**
 * The back-office under /agent: the agents' sign-in page, the page guards and layout, and its
 * pages (dashboard, appeals, accounts, notifications, audit, team, me), which read and
 * act through their modules' services. Other modules may add pages with `@AgentPages()` and
 * dashboard panels through `DashboardPanels`; Bull Board is QueueBoardModule.
 */
@Module({
  imports: [AuditModule, AccountsModule, NotificationsModule, AgentsModule, AppealsModule, PasswordPolicyModule],
  controllers: [
    AgentSignInPagesController,
    DashboardPagesController,
    AppealsPagesController,
    AccountsPagesController,
    NotificationsPagesController,
    AuditPagesController,
    TeamPagesController,
    MePagesController,
    AgentPasskeysPagesController,
    LiveEventsPagesController,
    RepliesPagesController,
    WorkloadPagesController,
    ReportsPagesController,
  ],
  providers: [
    AgentAuthGuard,
    AgentLayout,
    AccountSupportService,
    AuditEventViews,
    DashboardPanels,
    AppealsPanel,
    NotificationFailuresPanel,
    SignInActivityPanel,
    LiveStreamsService,
  ],
  exports: [AgentAuthGuard, AgentLayout, DashboardPanels],
})
export class BackofficeModule {}
