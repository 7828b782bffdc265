import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CryptoService } from '../../common/crypto/crypto.service';
import { TemplateId, templateSpec } from './notification-templates';

/**
 * For the demo's seeding and for tests only, which act as the person who reads the message: the
 * secret (a code, a token, a link) of the latest message of a template to an address, while the
 * outbox still holds it sealed (until a worker sends it). The product never reads a secret back:
 * it leaves the outbox only in its message.
 */
@Injectable()
export class SentSecrets {
  constructor(private readonly crypto: CryptoService) {}

  /** `name`: which of the template's secret variables (its first by default); undefined when no such message is waiting. */
  async latest(
    manager: EntityManager,
    to: string,
    template: TemplateId,
    name = templateSpec(template).secrets[0],
  ): Promise<string | undefined> {
    const [message] = (await manager.query(
      `SELECT payload->>'sealed' AS sealed FROM notifications
        WHERE template = $1 AND recipient = $2 AND payload->>'sealed' IS NOT NULL
        ORDER BY created_at DESC LIMIT 1`,
      [template, to],
    )) as { sealed: string }[];
    if (!message) return undefined;
    const secrets = JSON.parse(this.crypto.unseal(message.sealed)) as Record<string, unknown>;
    return typeof secrets[name] === 'string' ? secrets[name] : undefined;
  }
}
