import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ChallengesModule } from '../challenges/challenges.module';
import { AgentPasskeysService } from './agent-passkeys.service';
import { AgentPresenceService } from './agent-presence.service';
import { AgentSessionsService } from './agent-sessions.service';
import { AgentSignInLockout } from './agent-sign-in-lockout.service';
import { AgentSignInService } from './agent-sign-in.service';
import { AgentTotpService } from './agent-totp.service';
import { AgentsService } from './agents.service';

/**
 * Agents: their accounts and roles, sessions, sign-in with its lockout, and TOTP. Below both the
 * appeals (which check an agent's role) and the back-office pages (which sign agents in and guard
 * every page with their sessions). The one PasswordPolicy comes from PasswordPolicyModule, through AccountsModule.
 */
@Module({
  imports: [AuditModule, AccountsModule, NotificationsModule, ChallengesModule],
  providers: [
    AgentsService,
    AgentPresenceService,
    AgentSessionsService,
    AgentSignInService,
    AgentSignInLockout,
    AgentTotpService,
    AgentPasskeysService,
  ],
  exports: [AgentsService, AgentPresenceService, AgentSessionsService, AgentSignInService, AgentSignInLockout, AgentPasskeysService],
})
export class AgentsModule {}
