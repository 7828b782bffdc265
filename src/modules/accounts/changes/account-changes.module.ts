import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { NotificationsModule } from '../../notifications/notifications.module';
import { ChallengesModule } from '../../challenges/challenges.module';
import { AccountsModule } from '../accounts.module';
import { ContactChangesController } from './contact-changes.controller';
import { ContactChangesService } from './contact-changes.service';
import { PasskeyRegistrationService } from './passkey-registration.service';
import { PasskeysController } from './passkeys.controller';
import { PasswordChangeService } from './password-change.service';
import { PasswordController } from './password.controller';
import { SecurityRevertsController } from './security-reverts.controller';
import { SecurityRevertsPagesController } from './security-reverts.pages.controller';
import { SecurityRevertsService } from './security-reverts.service';
import { TotpController } from './totp.controller';
import { TotpEnrolmentService } from './totp-enrolment.service';

/**
 * The owner's self-service security changes (password, logon email, secure phone, TOTP, passkeys), each
 * authorised by a verification token, and the "this wasn't me" links their notices carry.
 */
@Module({
  imports: [AccountsModule, ChallengesModule, NotificationsModule, AuditModule],
  controllers: [
    PasswordController,
    ContactChangesController,
    TotpController,
    PasskeysController,
    SecurityRevertsController,
    SecurityRevertsPagesController,
  ],
  providers: [PasswordChangeService, ContactChangesService, TotpEnrolmentService, SecurityRevertsService, PasskeyRegistrationService],
  exports: [SecurityRevertsService, PasswordChangeService, ContactChangesService, TotpEnrolmentService, PasskeyRegistrationService],
})
export class AccountChangesModule {}
