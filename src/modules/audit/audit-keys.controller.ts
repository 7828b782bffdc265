import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuditKeys } from './audit-keys.service';

/** The audit log's public keys (JWKS), for anyone to verify checkpoints, proofs and receipts offline. */
@ApiTags('audit')
@Controller('.well-known')
export class AuditKeysController {
  constructor(private readonly keys: AuditKeys) {}

  @Get('audit-key.json')
  @Header('Cache-Control', 'public, max-age=300')
  async jwks() {
    return { keys: await this.keys.all() };
  }
}
