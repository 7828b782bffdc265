import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ChallengesModule } from '../challenges/challenges.module';
import { AccountFreezeService } from './account-freeze.service';
import { AccountsController } from './accounts.controller';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { DevicesController } from './devices.controller';
import { DevicesService } from './devices.service';
import { LoginThrottle } from './login-throttle.service';
import { PasskeyCredentialsService } from './passkey-credentials.service';
import { PasskeySessionsController } from './passkey-sessions.controller';
import { PasskeySecondFactorService } from './passkey-second-factor.service';
import { PasskeySignInService } from './passkey-sign-in.service';
import { PasswordPolicyModule } from './password-policy.module';
import { SessionGuard } from './session.guard';
import { SessionsController } from './sessions.controller';
import { SecondarySignInService } from './secondary-sign-in.service';
import { SecurityActivityController } from './security-activity.controller';
import { SecurityActivityService } from './security-activity.service';
import { SessionsService } from './sessions.service';
import { SignInService } from './sign-in.service';
import { TotpService } from './totp.service';

/** Accounts, RAM users, sign-in and its second factor, sessions, trusted devices, TOTP and freezing. */
@Module({
  imports: [AuditModule, NotificationsModule, ChallengesModule, PasswordPolicyModule],
  controllers: [SessionsController, PasskeySessionsController, AccountsController, DevicesController, SecurityActivityController],
  providers: [
    AccountsRepository,
    AccountsService,
    SessionsService,
    DevicesService,
    LoginThrottle,
    SignInService,
    SecondarySignInService,
    SessionGuard,
    TotpService,
    AccountFreezeService,
    SecurityActivityService,
    PasskeyCredentialsService,
    PasskeySignInService,
    PasskeySecondFactorService,
  ],
  exports: [
    AccountsService,
    SessionsService,
    DevicesService,
    LoginThrottle,
    SignInService,
    SecondarySignInService,
    SessionGuard,
    TotpService,
    AccountFreezeService,
    SecurityActivityService,
    PasswordPolicyModule,
    PasskeyCredentialsService,
    PasskeySignInService,
    PasskeySecondFactorService,
  ],
})
export class AccountsModule {}
