import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { listOutboxRecords, OutboxRecord } from '../../infrastructure/transports/outbox.transport';
import { TEMPLATE_IDS, TemplateId, templateSpec } from './notification-templates';

/** How many messages the page lists. */
const PAGE_SIZE = 50;

export interface DevOutboxMessage extends OutboxRecord {
  /** The verification code the message carries, for templates that carry one. */
  readonly code?: string;
}

export interface DevOutboxPage {
  readonly title: string;
  readonly wide: true;
  readonly dir: string;
  readonly messages: DevOutboxMessage[];
}

/**
 * `/dev/outbox`: the messages the development outbox wrote instead of sending them, newest
 * first, with their codes. Exists only while that outbox is in use outside production.
 */
@Injectable()
export class DevOutboxService {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  page(): DevOutboxPage {
    if (!this.config.devOutbox.pageEnabled) throw new NotFoundError();
    const messages = listOutboxRecords(this.config.devOutbox.dir, PAGE_SIZE).map((record) => ({ ...record, code: codeOf(record) }));
    return { title: 'Sent messages', wide: true, dir: this.config.devOutbox.dir, messages };
  }
}

/** A code stands alone on its line in email text, and as the only run of exactly 6 digits in an SMS. */
function codeOf(record: OutboxRecord): string | undefined {
  const template = TEMPLATE_IDS.find((id) => id === record.template) as TemplateId | undefined;
  if (!template || !templateSpec(template).secrets.includes('code')) return undefined;
  const match = record.channel === 'email' ? /^\s*(\d{6})\s*$/m.exec(record.body) : /(?<!\d)(\d{6})(?!\d)/.exec(record.body);
  return match?.[1];
}
