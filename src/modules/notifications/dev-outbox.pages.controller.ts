import { Controller, Get, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DevOutboxService } from './dev-outbox.service';

@ApiExcludeController()
@Controller()
export class DevOutboxPagesController {
  constructor(private readonly devOutbox: DevOutboxService) {}

  /** The development outbox; 404 when messages really leave (SMTP_URL and an SMS webhook) or in production. */
  @Get('dev/outbox')
  @Render('dev/outbox')
  outbox() {
    return this.devOutbox.page();
  }
}
