import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ChallengeLimits } from './challenge-limits';
import { CodeChallengesService } from './code-challenges.service';
import { CodeChallenge } from './entities/code-challenge.entity';
import { VerificationToken } from './entities/verification-token.entity';
import { VerificationTokensService } from './verification-tokens.service';

/**
 * Code challenges and verification tokens, for every flow that asks for a code. It depends on
 * no account code, so accounts (sign-in), verification, changes, recovery and appeals can all
 * import it.
 */
@Module({
  imports: [TypeOrmModule.forFeature([CodeChallenge, VerificationToken]), AuditModule, NotificationsModule],
  providers: [ChallengeLimits, CodeChallengesService, VerificationTokensService],
  exports: [ChallengeLimits, CodeChallengesService, VerificationTokensService],
})
export class ChallengesModule {}
