import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AccountChangesModule } from '../accounts/changes/account-changes.module';
import { AppealsModule } from '../appeals/appeals.module';
import { VerificationModule } from '../verification/verification.module';
import { AccountLayout } from './account-layout.service';
import { AccountPagesGuard } from './account-pages.guard';
import { ContactChangesPagesController } from './contact-changes.pages.controller';
import { PasskeySignInPagesController } from './passkey-sign-in.pages.controller';
import { PasskeysPagesController } from './passkeys.pages.controller';
import { PasswordPagesController } from './password.pages.controller';
import { PasswordStrengthPagesController } from './password-strength.pages.controller';
import { SecurityPagesController } from './security.pages.controller';
import { SessionsPagesController } from './sessions.pages.controller';
import { ShieldPagesController } from './shield.pages.controller';
import { SignInPagesController } from './sign-in.pages.controller';
import { TotpPagesController } from './totp.pages.controller';
import { VerifiedCookie } from './verified-cookie';
import { VerifyPagesController } from './verify.pages.controller';

/**
 * The Account Center pages for account owners (server-rendered): sign-in with its secondary
 * code, the Security Settings overview, identity verification, the password, logon email,
 * secure phone and authenticator changes, and sessions with trusted devices. They call the
 * services of the JSON API, never the API itself.
 */
@Module({
  imports: [AccountsModule, AccountChangesModule, VerificationModule, AppealsModule],
  controllers: [
    SignInPagesController,
    SecurityPagesController,
    VerifyPagesController,
    PasswordPagesController,
    ContactChangesPagesController,
    TotpPagesController,
    SessionsPagesController,
    ShieldPagesController,
    PasskeySignInPagesController,
    PasskeysPagesController,
    PasswordStrengthPagesController,
  ],
  providers: [AccountPagesGuard, AccountLayout, VerifiedCookie],
})
export class AccountCenterModule {}
