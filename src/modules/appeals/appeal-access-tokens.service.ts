import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { answerNoSoonerThan, PUBLIC_ANSWER_FLOOR_MS } from '../../common/answer-floor';
import { addressKey } from '../../common/client-address';
import { normaliseEmail } from '../../common/contacts';
import { hashToken, randomToken } from '../../common/crypto/tokens';
import { bucket } from '../../infrastructure/limits/limiter';
import { LIMITS } from '../../infrastructure/limits/limits';
import { AuditService } from '../audit/audit.service';
import { ChallengeLimits, SendBucket } from '../challenges/challenge-limits';
import { AppealNotices } from './appeal-notices';
import { REFERENCE } from './appeals.repository';
import { Appeal } from './entities/appeal.entity';

/** The same allowances as contact codes (5 an hour per email, 20 per IP), in buckets of their own. */
export function accessTokenResendBuckets(email: string, ip: string): SendBucket[] {
  return [bucket(LIMITS.accessTokenResendsPerEmail, email.toLowerCase()), bucket(LIMITS.accessTokenResendsPerAddress, addressKey(ip))];
}

/**
 * "Lost your access token?": when the reference and the verified contact email name one appeal,
 * a fresh access token goes to that email (`appeal-access-token`) and the old one stops working,
 * so a token read over someone's shoulder or left in a browser is shut out as soon as the
 * person asks for a new one. The worst a stranger who knows both can do is the same: rotate
 * the token into the owner's own mailbox. The answer never says whether they matched, and the
 * allowances are taken either way, so a 429 says nothing either. Nor does the time: a match
 * writes a token, a message and an audit event, so every answer waits out the same floor as
 * the recovery requests. Allowances taken by a request whose transaction failed are given back.
 */
@Injectable()
export class AppealAccessTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly limits: ChallengeLimits,
    private readonly notices: AppealNotices,
    private readonly audit: AuditService,
  ) {}

  resend(reference: string, email: string, client: { ip: string }): Promise<void> {
    return answerNoSoonerThan(PUBLIC_ANSWER_FLOOR_MS, () => this.reissue(reference, email, client));
  }

  private async reissue(reference: string, email: string, client: { ip: string }): Promise<void> {
    const contactEmail = normaliseEmail(email);
    const { refund } = await this.limits.takeSend(accessTokenResendBuckets(contactEmail, client.ip));
    if (!REFERENCE.test(reference)) return;
    try {
      await this.dataSource.transaction(async (manager) => {
        const appeal = await manager.findOne(Appeal, { where: { reference }, lock: { mode: 'pessimistic_write' } });
        if (!appeal || appeal.contactEmail.toLowerCase() !== contactEmail.toLowerCase()) return;
        const accessToken = randomToken();
        // Not an appeal change an agent acts on: the version stays.
        await manager.update(Appeal, { id: appeal.id }, { accessTokenHash: hashToken(accessToken) });
        await this.notices.toContact(manager, appeal, 'appeal-access-token', { accessToken });
        await this.audit.record(manager, {
          action: 'appeal.access_token_reissued',
          actor: { type: 'public' },
          subject: { type: 'appeal', id: appeal.reference },
          data: {},
          ip: client.ip,
        });
      });
    } catch (error) {
      await refund().catch(() => undefined);
      throw error;
    }
  }
}
