import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { randomToken } from '../common/crypto/tokens';
import { AccountsService } from '../modules/accounts/accounts.service';
import { AppealCompletionService } from '../modules/appeals/appeal-completion.service';
import { AppealFilingService } from '../modules/appeals/appeal-filing.service';
import { AppealMaintenanceService } from '../modules/appeals/appeal-maintenance.service';
import { AppealPortalService, AppealCredentials } from '../modules/appeals/appeal-portal.service';
import { AppealDetailService } from '../modules/appeals/appeal-detail.service';
import { AppealQueueService } from '../modules/appeals/appeal-queue.service';
import { ActingAgent, AppealReviewService } from '../modules/appeals/appeal-review.service';
import { ChangeContext } from '../modules/audit/audit.service';
import { SentSecrets } from '../modules/notifications/sent-secrets.service';
import { DEMO_APPEALS, DEMO_AWAITING_REPLY_CONTACT, DemoAppeal } from './demo-appeals.data';

const HOUR_MS = 3_600_000;
const SEED: ChangeContext = { actor: { type: 'system', id: 'demo' } };

/** The agents who work the demo appeals. */
export interface DemoReviewers {
  readonly agent: ActingAgent;
  readonly supervisor: ActingAgent;
}

/** Seeds the demo appeals (see DEMO_APPEALS); returns how many exist now, and the reference of the one awaiting its person's reply. */
export async function seedDemoAppeals(
  app: INestApplicationContext,
  reviewers: DemoReviewers,
): Promise<{ count: number; awaitingReply: string }> {
  const seeder = new DemoAppealSeeder(app, reviewers);
  let seeded = 0;
  for (const appeal of DEMO_APPEALS) {
    await seeder.seed(appeal);
    seeded += 1;
  }
  // What the scheduled jobs would do next: apply the appeal whose cooling-off is over, flag the late ones.
  await app.get(AppealCompletionService, { strict: false }).applyDue();
  await app.get(AppealMaintenanceService, { strict: false }).flagSlaBreaches();
  const [awaiting] = (
    await app.get(AppealQueueService, { strict: false }).list(reviewers.agent, { q: DEMO_AWAITING_REPLY_CONTACT, status: 'all' })
  ).items;
  return { count: seeded, awaitingReply: awaiting.reference };
}

class DemoAppealSeeder {
  private readonly clock: Clock;
  private readonly dataSource: DataSource;
  private readonly sentSecrets: SentSecrets;
  private readonly accounts: AccountsService;
  private readonly filing: AppealFilingService;
  readonly portal: AppealPortalService;
  private readonly queue: AppealQueueService;
  private readonly details: AppealDetailService;
  readonly review: AppealReviewService;
  private next = 10;

  constructor(
    app: INestApplicationContext,
    readonly reviewers: DemoReviewers,
  ) {
    const get = <T>(type: new (...args: never[]) => T) => app.get(type, { strict: false });
    this.clock = get(Clock);
    this.dataSource = get(DataSource);
    this.sentSecrets = get(SentSecrets);
    this.accounts = get(AccountsService);
    this.filing = get(AppealFilingService);
    this.portal = get(AppealPortalService);
    this.queue = get(AppealQueueService);
    this.details = get(AppealDetailService);
    this.review = get(AppealReviewService);
  }

  async seed(demo: DemoAppeal): Promise<void> {
    // A client address of its own per appeal (documentation range), as five filings a day per IP is the limit.
    const ip = `203.0.113.${(this.next += 1)}`;
    if ((await this.queue.list(this.reviewers.agent, { q: demo.contact, status: 'all' })).items.length) return;
    const account = demo.account ? await this.account(demo.account) : null;
    const credentials = await this.at(demo.filedHoursAgo, async () => {
      const contactVerification = await this.verifiedContact(demo.contact, ip);
      const filed = await this.filing.file(
        {
          contactVerification,
          account: account
            ? { uid: account.uid, logonEmail: account.logonEmail, securePhone: account.securePhone ?? undefined }
            : (demo.claimed ?? {}),
          changes: demo.changes(demo.contact),
          evidence: demo.evidence,
        },
        { ip },
      );
      return { reference: filed.reference, accessToken: filed.accessToken };
    });
    await demo.story?.(new DemoStory(this, credentials, ip));
  }

  /** Runs `work` as if it were `hoursAgo` hours ago: every service reads the time from the shared Clock. */
  at<T>(hoursAgo: number, work: () => Promise<T>): Promise<T> {
    return this.clock.asOf(hoursAgo * HOUR_MS, work);
  }

  version(reference: string): Promise<number> {
    return this.details.detail(this.reviewers.agent, reference).then((detail) => detail.version);
  }

  /** The account the appeal is about, created long ago (or found, from an earlier run). */
  private async account(spec: NonNullable<DemoAppeal['account']>) {
    const found = await this.accounts.findByLogonEmail(spec.logonEmail);
    if (found) return found;
    // Nobody signs in to these accounts: their password is random and never shown.
    return this.at(24 * 400, () => this.accounts.create({ ...spec, password: randomToken() }, SEED));
  }

  /** Verifies the contact email as the person would, with the code from the message (in the transaction that writes it). */
  private verifiedContact(contact: string, ip: string): Promise<{ id: string; code: string }> {
    return this.dataSource.transaction(async (manager) => {
      const { id } = await this.filing.verifyContact(contact, { ip }, manager);
      const code = await this.sentSecrets.latest(manager, contact, 'appeal-contact-code');
      if (!code) throw new Error(`no verification code was sent to ${contact}`);
      return { id, code };
    });
  }
}

/** What happens to one demo appeal after filing, step by step at the times given (hours ago). */
export class DemoStory {
  constructor(
    private readonly seeder: DemoAppealSeeder,
    private readonly credentials: AppealCredentials,
    private readonly ip: string,
  ) {}

  attach(hoursAgo: number, originalName: string, content: Buffer): Promise<unknown> {
    return this.seeder.at(hoursAgo, () => this.seeder.portal.attach(this.credentials, { originalName, content }, { ip: this.ip }));
  }

  customerSays(hoursAgo: number, body: string): Promise<unknown> {
    return this.seeder.at(hoursAgo, () => this.seeder.portal.postMessage(this.credentials, body, { ip: this.ip }));
  }

  agent(hoursAgo: number, action: 'claim'): Promise<unknown> {
    return this.act(hoursAgo, 'agent', (review, who, version) => review[action](who, this.credentials.reference, version));
  }

  note(hoursAgo: number, who: keyof DemoReviewers, body: string): Promise<unknown> {
    return this.act(hoursAgo, who, (review, agent, version) => review.addNote(agent, this.credentials.reference, version, { body }));
  }

  requestInfo(hoursAgo: number, who: keyof DemoReviewers, message: string): Promise<unknown> {
    return this.act(hoursAgo, who, (review, agent, version) => review.requestInfo(agent, this.credentials.reference, version, { message }));
  }

  approve(hoursAgo: number, rationale: string): Promise<unknown> {
    return this.act(hoursAgo, 'agent', (review, agent, version) =>
      review.approve(agent, this.credentials.reference, version, { rationale }),
    );
  }

  confirm(hoursAgo: number): Promise<unknown> {
    return this.act(hoursAgo, 'supervisor', (review, agent, version) => review.confirmApproval(agent, this.credentials.reference, version));
  }

  reject(hoursAgo: number, reason: string, message: string): Promise<unknown> {
    return this.act(hoursAgo, 'agent', (review, agent, version) =>
      review.reject(agent, this.credentials.reference, version, { reason, message }),
    );
  }

  private act(
    hoursAgo: number,
    who: keyof DemoReviewers,
    run: (review: AppealReviewService, agent: ActingAgent, version: number) => Promise<unknown>,
  ): Promise<unknown> {
    const agent = this.seeder.reviewers[who];
    return this.seeder.at(hoursAgo, async () => run(this.seeder.review, agent, await this.seeder.version(this.credentials.reference)));
  }
}
