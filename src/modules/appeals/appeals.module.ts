import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountChangesModule } from '../accounts/changes/account-changes.module';
import { AccountsModule } from '../accounts/accounts.module';
import { PasswordPolicyModule } from '../accounts/password-policy.module';
import { AgentsModule } from '../agents/agents.module';
import { AuditModule } from '../audit/audit.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ChallengesModule } from '../challenges/challenges.module';
import { AccountAppealsController } from './account-appeals.controller';
import { AccountAppealsService } from './account-appeals.service';
import { AccountMatcher } from './account-matcher';
import { AppealAccessGuard } from './appeal-access.guard';
import { AppealAccessTokensService } from './appeal-access-tokens.service';
import { AppealCompletionService } from './appeal-completion.service';
import { AppealCoolingOffService } from './appeal-cooling-off.service';
import { AppealEvidenceService } from './appeal-evidence.service';
import { AppealFiledAlert } from './appeal-filed-alert';
import { AppealFilingLimits } from './appeal-filing-limits';
import { AppealFilingService } from './appeal-filing.service';
import { AppealFilingPagesController } from './appeal-filing.pages.controller';
import { AppealLinksPagesController } from './appeal-links.pages.controller';
import { AppealMaintenanceService } from './appeal-maintenance.service';
import { AppealMetrics } from './appeal-metrics';
import { AppealNotices } from './appeal-notices';
import { AppealObjectionsController } from './appeal-objections.controller';
import { AppealPageAccess } from './appeal-page-access';
import { AppealPageUploadMiddleware } from './appeal-page-upload.middleware';
import { AppealPortalService } from './appeal-portal.service';
import { AppealDetailService } from './appeal-detail.service';
import { AppealReceiptsService } from './appeal-receipts.service';
import { AppealAutoAssigner } from './appeal-auto-assigner.service';
import { CannedRepliesService } from './canned-replies.service';
import { CannedReply } from './entities/canned-reply.entity';
import { AppealEventsService } from './appeal-events.service';
import { AppealReportsService } from './appeal-reports.service';
import { AppealQueueService } from './appeal-queue.service';
import { AppealSensitiveReadsService } from './appeal-sensitive-reads.service';
import { AppealStatisticsService } from './appeal-statistics.service';
import { AppealReviewService } from './appeal-review.service';
import { AppealStatusPagesController } from './appeal-status.pages.controller';
import { AppealTransitions } from './appeal-transitions';
import { AppealsController } from './appeals.controller';
import { AppealsRepository } from './appeals.repository';
import { AppealAttachmentContent } from './entities/appeal-attachment-content.entity';
import { AppealRiskService } from './risk/appeal-risk.service';
import { AppealAttachmentHashBand } from './entities/appeal-attachment-hash-band.entity';
import { AppealAttachmentPreview } from './entities/appeal-attachment-preview.entity';
import { AppealAttachment } from './entities/appeal-attachment.entity';
import { AppealMessage } from './entities/appeal-message.entity';
import { AppealObjection } from './entities/appeal-objection.entity';
import { Appeal } from './entities/appeal.entity';
import { PasswordReset } from './entities/password-reset.entity';
import { AppealPasswordResetsController } from './appeal-password-resets.controller';
import { AppealPasswordResetsService } from './appeal-password-resets.service';

/**
 * Appeals: filing and the person's API, the review workflow the back-office pages drive, the
 * cooling-off with objections, completion, and the scheduled SLA, expiry and purge work. The
 * pages read through AppealQueueService, AppealDetailService, AppealSensitiveReadsService and
 * AppealStatisticsService and act through AppealReviewService; its processor is
 * provided by WorkersModule.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      CannedReply,
      Appeal,
      AppealMessage,
      AppealAttachment,
      AppealAttachmentContent,
      AppealAttachmentHashBand,
      AppealAttachmentPreview,
      AppealObjection,
      PasswordReset,
    ]),
    AccountsModule,
    AccountChangesModule,
    AgentsModule,
    AuditModule,
    NotificationsModule,
    ChallengesModule,
    PasswordPolicyModule,
  ],
  controllers: [
    AppealsController,
    AppealObjectionsController,
    AccountAppealsController,
    AppealPasswordResetsController,
    AppealFilingPagesController,
    AppealStatusPagesController,
    AppealLinksPagesController,
  ],
  providers: [
    AppealReportsService,
    AppealRiskService,
    AppealsRepository,
    AppealEventsService,
    CannedRepliesService,
    AppealAutoAssigner,
    AppealNotices,
    AppealTransitions,
    AccountMatcher,
    AppealFilingLimits,
    AppealFiledAlert,
    AccountAppealsService,
    AppealFilingService,
    AppealPortalService,
    AppealAccessTokensService,
    AppealAccessGuard,
    AppealPageAccess,
    AppealEvidenceService,
    AppealCoolingOffService,
    AppealReceiptsService,
    AppealReviewService,
    AppealQueueService,
    AppealDetailService,
    AppealSensitiveReadsService,
    AppealStatisticsService,
    AppealCompletionService,
    AppealMaintenanceService,
    AppealMetrics,
    AppealPasswordResetsService,
  ],
  exports: [
    AccountAppealsService,
    AppealReportsService,
    AppealEventsService,
    AppealAutoAssigner,
    CannedRepliesService,
    AppealFilingService,
    AppealPortalService,
    AppealReviewService,
    AppealQueueService,
    AppealDetailService,
    AppealSensitiveReadsService,
    AppealStatisticsService,
    AppealCoolingOffService,
    AppealCompletionService,
    AppealMaintenanceService,
    AppealPasswordResetsService,
  ],
})
export class AppealsModule implements NestModule {
  /** The pages' uploads are parsed before the guards, so the CSRF guard sees the form's `_csrf` field. */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(AppealPageUploadMiddleware)
      .forRoutes({ path: 'appeal/uploads', method: RequestMethod.POST }, { path: 'appeal/status/attachments', method: RequestMethod.POST });
  }
}
