import { Body, Controller, Get, Param, Post, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FlashService } from '../../common/http/flash.service';
import { formErrors } from '../../common/http/form-errors';
import { FormDto } from '../../common/http/form.dto';
import { LOCALES } from '../../common/locales';
import { roleAllows } from '../agents/agent-roles';
import { SignedInAgent } from '../agents/signed-in-agent';
import { CannedRepliesService } from '../appeals/canned-replies.service';
import { REPLY_VARIABLES } from '../appeals/reply-template';
import { CurrentAgent, RequireRole } from './agent-auth.guard';
import { AgentPages } from './agent-pages.decorator';
import { CannedReplyForm } from './dto/canned-reply.form';

const LOCALE_LABELS: Record<string, string> = { en: 'English (en)', 'zh-CN': 'Chinese, simplified (zh-CN)' };

/** Canned replies (`/agent/replies`): every agent reads them, supervisors add, change and delete them. */
@AgentPages()
@RequireRole('agent')
@Controller('agent/replies')
export class RepliesPagesController {
  constructor(
    private readonly replies: CannedRepliesService,
    private readonly flash: FlashService,
  ) {}

  @Get()
  @Render('agent/replies')
  page(@CurrentAgent() agent: SignedInAgent) {
    return this.view(agent);
  }

  @Post()
  @RequireRole('supervisor')
  async create(@Body() form: CannedReplyForm, @CurrentAgent() agent: SignedInAgent, @Req() request: Request, @Res() response: Response) {
    try {
      const reply = await this.replies.create(actor(agent, request), form);
      this.flash.set(response, { kind: 'success', message: `The reply “${reply.title}” is saved.` });
      response.redirect(303, '/agent/replies');
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      response.status(400).render('agent/replies', await this.view(agent, { form: 'new', errors, entered: entered(form) }));
    }
  }

  @Post(':id')
  @RequireRole('supervisor')
  async update(
    @Param('id') id: string,
    @Body() form: CannedReplyForm,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    try {
      const reply = await this.replies.update(actor(agent, request), id, form);
      this.flash.set(response, { kind: 'success', message: `The reply “${reply.title}” is saved.` });
      response.redirect(303, '/agent/replies');
    } catch (error) {
      const errors = formErrors(error);
      if (!errors) throw error;
      response.status(400).render('agent/replies', await this.view(agent, { form: id, errors, entered: entered(form) }));
    }
  }

  @Post(':id/delete')
  @RequireRole('supervisor')
  async remove(
    @Param('id') id: string,
    @Body() _form: FormDto,
    @CurrentAgent() agent: SignedInAgent,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    const reply = await this.replies.remove(actor(agent, request), id);
    this.flash.set(response, { kind: 'success', message: `The reply “${reply.title}” is deleted.` });
    response.redirect(303, '/agent/replies');
  }

  private async view(
    agent: SignedInAgent,
    failed?: { form: string; errors: Record<string, string>; entered: { title: string; locale: string; body: string } },
  ) {
    const replies = await this.replies.list();
    const locales = (chosen: string) => LOCALES.map((value) => ({ value, label: LOCALE_LABELS[value], selected: value === chosen }));
    return {
      title: 'Canned replies',
      editable: roleAllows(agent.role, 'supervisor'),
      variables: REPLY_VARIABLES.map((name) => `{{${name}}}`).join(', '),
      replies: replies.map((reply) => {
        const mine = failed?.form === reply.id;
        const values = mine ? failed.entered : { title: reply.title, locale: reply.locale, body: reply.body };
        return {
          id: reply.id,
          title: reply.title,
          localeLabel: LOCALE_LABELS[reply.locale],
          body: reply.body,
          values,
          locales: locales(values.locale),
          errors: mine ? failed.errors : {},
          open: mine,
        };
      }),
      newReply: {
        values: failed?.form === 'new' ? failed.entered : { title: '', locale: 'en', body: '' },
        locales: locales(failed?.form === 'new' ? failed.entered.locale : 'en'),
        errors: failed?.form === 'new' ? failed.errors : {},
      },
    };
  }
}

function actor(agent: SignedInAgent, request: Request) {
  return { id: agent.id, role: agent.role, ip: request.ip };
}

function entered(form: CannedReplyForm) {
  return { title: form.title ?? '', locale: form.locale ?? '', body: form.body ?? '' };
}
