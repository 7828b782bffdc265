import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { normaliseEmail } from '../../common/contacts';
import { hashToken, randomToken } from '../../common/crypto/tokens';
import { AuditService } from '../audit/audit.service';
import { ChallengeLimits, SendBucket } from '../challenges/challenge-limits';
import { APPEAL_LIMITS } from './appeal-filing-limits';
import { AppealNotices } from './appeal-notices';
import { REFERENCE } from './appeals.repository';
import { Appeal } from './entities/appeal.entity';

const HOUR_MS = 3_600_000;

/** The same allowances as contact codes (5 an hour per email, 20 per IP), in buckets of their own. */
export function accessTokenResendBuckets(email: string, ip: string): SendBucket[] {
  return [
    { name: `appeal-token-email:${email.toLowerCase()}`, limit: APPEAL_LIMITS.contactCodesPerEmailPerHour, windowMs: HOUR_MS },
    { name: `appeal-token-ip:${ip}`, limit: APPEAL_LIMITS.contactCodesPerIpPerHour, windowMs: HOUR_MS },
  ];
}

/**
 * "Lost your access token?": when the reference and the verified contact email name one appeal,
 * a fresh access token goes to that email (`appeal-access-token`) and the old one stops working,
 * so a token read over someone's shoulder or left in a browser is shut out as soon as the
 * person asks for a new one. The worst a stranger who knows both can do is the same: rotate
 * the token into the owner's own mailbox. The answer never says whether they matched, and the
 * allowances are taken either way, so a 429 says nothing either.
 */
@Injectable()
export class AppealAccessTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly limits: ChallengeLimits,
    private readonly notices: AppealNotices,
    private readonly audit: AuditService,
  ) {}

  async resend(reference: string, email: string, client: { ip: string }): Promise<void> {
    const contactEmail = normaliseEmail(email);
    await this.limits.takeSend(accessTokenResendBuckets(contactEmail, client.ip));
    if (!REFERENCE.test(reference)) return;
    await this.dataSource.transaction(async (manager) => {
      const appeal = await manager.findOne(Appeal, { where: { reference }, lock: { mode: 'pessimistic_write' } });
      if (!appeal || appeal.contactEmail.toLowerCase() !== contactEmail.toLowerCase()) return;
      const accessToken = randomToken();
      // Not an appeal change an agent acts on: the version stays.
      await manager.update(Appeal, { id: appeal.id }, { accessTokenHash: hashToken(accessToken) });
      await this.notices.toContact(manager, appeal, 'appeal-access-token', { accessToken });
      await this.audit.record(manager, { action: 'appeal.access_token_reissued', actor: { type: 'public' }, subject: { type: 'appeal', id: appeal.reference }, data: {}, ip: client.ip });
    });
  }
}
