import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { NotificationsModule } from '../../notifications/notifications.module';
import { ChallengesModule } from '../../challenges/challenges.module';
import { AccountsModule } from '../accounts.module';
import { AccountChangesModule } from '../changes/account-changes.module';
import { LogonEmailRemindersService } from './logon-email-reminders.service';
import { PasswordRecoveryService } from './password-recovery.service';
import { RecoveryFailures } from './recovery-failures.service';
import { RecoveryController } from './recovery.controller';
import { RecoveryPagesController } from './recovery.pages.controller';

/** Forgotten password and forgotten logon email, for people who cannot sign in but still hold a factor (API and pages). */
@Module({
  imports: [AccountsModule, AccountChangesModule, ChallengesModule, NotificationsModule, AuditModule],
  controllers: [RecoveryController, RecoveryPagesController],
  providers: [PasswordRecoveryService, LogonEmailRemindersService, RecoveryFailures],
})
export class RecoveryModule {}
