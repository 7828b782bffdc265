import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { textsFor } from '../../common/i18n/response-text';
import { hasText } from '../../common/i18n/page-texts';
import { PasswordPolicy } from '../accounts/password-policy';
import { PASSWORD_MAX } from '../accounts/password-policy';

class StrengthQuery {
  @IsString()
  @MaxLength(4 * PASSWORD_MAX)
  password!: string;
}

/**
 * `POST /password-strength`: the meter of the new-password fields (`public/js/pages.js`) asks how
 * strong what is being typed is, and shows zxcvbn's warning and suggestions in the page's
 * language. Changes nothing, stores nothing; the password is in the body, never in a URL.
 */
@ApiExcludeController()
@Controller('password-strength')
export class PasswordStrengthPagesController {
  constructor(private readonly policy: PasswordPolicy) {}

  @Post()
  @HttpCode(200)
  async strength(@Body() query: StrengthQuery, @Res({ passthrough: true }) response: Response) {
    const t = textsFor(response);
    const verdict = await this.policy.strength(query.password);
    const word = (group: string, key: string) => (hasText(`password:${group}.${key}`) ? t(`password:${group}.${key}`) : undefined);
    return {
      score: verdict.score,
      label: t(`common:password.scores.${verdict.score}`),
      warning: verdict.warning ? word('warnings', verdict.warning) : undefined,
      suggestions: (verdict.suggestions ?? []).map((key) => word('suggestions', key)).filter(Boolean),
    };
  }
}
