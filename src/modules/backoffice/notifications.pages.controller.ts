import { Body, Controller, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { FlashService } from '../../common/http/flash.service';
import { NotificationStatus } from '../notifications/entities/notification.entity';
import { NotificationsBackofficeService } from '../notifications/notifications-backoffice.service';
import { CurrentAgent, RequireRole } from './agent-auth.guard';
import { AgentPages } from './agent-pages.decorator';
import { NOTIFICATION_VIEWS, NotificationView, RetryForm } from './dto/retry.form';
import { SignedInAgent } from '../agents/signed-in-agent';

const VIEW_LABELS: Record<NotificationView, string> = {
  problems: 'Failed and dead',
  failed: 'Retrying',
  dead: 'Dead',
  pending: 'Pending',
  queued: 'Queued',
  sent: 'Sent',
};

/** The outbox for support: failed and dead messages first, retried by hand. */
@AgentPages()
@RequireRole('agent')
@Controller('agent/notifications')
export class NotificationsPagesController {
  constructor(
    private readonly notifications: NotificationsBackofficeService,
    private readonly flash: FlashService,
  ) {}

  @Get()
  @Render('agent/notifications')
  async list(@Query('status') status?: string, @Query('after') after?: string) {
    const view = (NOTIFICATION_VIEWS as readonly string[]).includes(status ?? '') ? (status as NotificationView) : 'problems';
    if (status !== undefined && view !== status)
      throw new ValidationFailedError([{ field: 'status', message: `must be one of ${NOTIFICATION_VIEWS.join(', ')}` }]);
    const statuses: NotificationStatus[] = view === 'problems' ? ['dead', 'failed'] : [view];
    const sections = await Promise.all(
      statuses.map(async (one) => {
        const page = await this.notifications.list({
          status: one,
          after: view === 'problems' ? undefined : typeof after === 'string' ? after : undefined,
        });
        return {
          status: one,
          heading: VIEW_LABELS[one],
          items: page.items.map((item) => ({ ...item, retryable: item.status === 'failed' || item.status === 'dead' })),
          next: page.next ? `/agent/notifications?status=${one}&after=${encodeURIComponent(page.next)}` : null,
        };
      }),
    );
    return {
      title: `Notifications: ${VIEW_LABELS[view].toLowerCase()}`,
      view,
      tabs: NOTIFICATION_VIEWS.map((one) => ({
        label: VIEW_LABELS[one],
        href: one === 'problems' ? '/agent/notifications' : `/agent/notifications?status=${one}`,
        current: one === view,
      })),
      sections,
      empty: sections.every((section) => section.items.length === 0),
      paged: Boolean(after),
    };
  }

  @Post(':id/retry')
  async retry(
    @Param('id') id: string,
    @Body() form: RetryForm,
    @CurrentAgent() agent: SignedInAgent,
    @Res() response: Response,
  ): Promise<void> {
    await this.notifications.retry(id, { type: 'agent', agentId: agent.id });
    this.flash.set(response, { kind: 'success', message: 'The message was queued for delivery again.' });
    const view = form.view ?? 'problems';
    response.redirect(303, view === 'problems' ? '/agent/notifications' : `/agent/notifications?status=${view}`);
  }
}
