import { Controller, Get, Param, Query, Render, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { LOCALE_COOKIE, supportedLocale } from '../../common/i18n/page-locale';
import { cookieOptions } from '../../common/http/cookies';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { localPath } from '../account-center/local-path';
import { textsFor } from '../../common/i18n/response-text';
import { NotFoundError } from '../../common/errors/domain-error';
import { PROBLEMS, ProblemCode, problemSlug } from '../../common/errors/problem-codes';

@ApiExcludeController()
@Controller()
export class HomePagesController {
  private readonly secureCookies: boolean;

  constructor(@InjectConfig() config: AppConfig) {
    this.secureCookies = config.http.secureCookies;
  }

  /**
   * The footer's language switch, a plain link so that it works without script: remembers the
   * language in the `locale` cookie (a year) and goes back (303) to the page it was on. A
   * signed-in account's own locale still wins; its pages switch with a form instead.
   */
  @Get('locale')
  switchLocale(@Query('lang') lang: unknown, @Query('next') next: unknown, @Res() response: Response): void {
    const locale = supportedLocale(typeof lang === 'string' ? lang : undefined);
    if (locale) {
      response.cookie(LOCALE_COOKIE, locale, cookieOptions(this.secureCookies, { path: '/', sameSite: 'lax', maxAgeMs: 365 * 86_400_000 }));
    }
    response.redirect(303, localPath(next, '/'));
  }

  @Get()
  @Render('home')
  home(@Res({ passthrough: true }) response: Response) {
    return { title: textsFor(response)('common:home.title') };
  }

  /** The page behind every problem document's `type`. */
  @Get('problems/:slug')
  @Render('problem')
  problem(@Param('slug') slug: string) {
    const code = (Object.keys(PROBLEMS) as ProblemCode[]).find((candidate) => problemSlug(candidate) === slug);
    if (!code) throw new NotFoundError('There is no such problem type.');
    return { title: PROBLEMS[code].title, problemTitle: PROBLEMS[code].title, code, status: PROBLEMS[code].status };
  }
}
