import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ChallengesModule } from '../challenges/challenges.module';
import { VerificationController } from './verification.controller';
import { VerificationService } from './verification.service';

/**
 * The identity verification API. It builds on the challenge engine and on accounts; the engine
 * stays free of account code, since accounts (sign-in) imports it.
 */
@Module({
  imports: [AccountsModule, ChallengesModule],
  controllers: [VerificationController],
  providers: [VerificationService],
  exports: [VerificationService],
})
export class VerificationModule {}
