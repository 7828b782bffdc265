/// <reference types="multer" />
import { Body, Controller, Get, HttpCode, Param, Post, Req, UploadedFile, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { AppealAccessGuard, appealCredentials } from './appeal-access.guard';
import { AppealAccessTokensService } from './appeal-access-tokens.service';
import { AppealFilingService } from './appeal-filing.service';
import { AppealPortalService } from './appeal-portal.service';
import { AppealReceiptsService } from './appeal-receipts.service';
import { ATTACHMENT_RULES } from './attachment-inspector';
import { AccessTokenResendDto } from './dto/access-token-resend.dto';
import { AppealMessageDto } from './dto/appeal-message.dto';
import { ContactVerificationDto } from './dto/contact-verification.dto';
import { FileAppealDto } from './dto/file-appeal.dto';

/**
 * The public appeal API: no session. The person proves the contact email with a code, files,
 * and then uses the reference and the access token (`Authorization: Bearer`) on the status page.
 */
@ApiTags('appeals')
@Controller('api/v1/appeals')
export class AppealsController {
  constructor(
    private readonly filing: AppealFilingService,
    private readonly portal: AppealPortalService,
    private readonly accessTokens: AppealAccessTokensService,
    private readonly receipts: AppealReceiptsService,
  ) {}

  /** Sends a code to the contact email (`appeal-contact-code`); 429 RATE_LIMITED beyond 5 an hour per email or 20 per IP. */
  @Post('contact-verifications')
  async verifyContact(@Body() body: ContactVerificationDto, @Req() request: Request) {
    return this.filing.verifyContact(body.email, { ip: clientIp(request), locale: body.locale });
  }

  /** Files an appeal; the answer is the same whether or not the account exists. The access token is shown once. */
  @Post()
  async file(@Body() body: FileAppealDto, @Req() request: Request) {
    return this.filing.file(body, { ip: clientIp(request) });
  }

  /**
   * Lost access token: when the reference and the verified contact email match an appeal, a new
   * token is emailed there and the old one stops working. 202 alike whether or not they match;
   * 429 RATE_LIMITED beyond 5 an hour per email or 20 per IP.
   */
  @Post('access-token-resends')
  @HttpCode(202)
  async resendAccessToken(@Body() body: AccessTokenResendDto, @Req() request: Request): Promise<Record<string, never>> {
    await this.accessTokens.resend(body.reference, body.email, { ip: clientIp(request) });
    return {};
  }

  @Get(':reference')
  @ApiBearerAuth()
  async status(@Param('reference') reference: string, @Req() request: Request) {
    return this.portal.status(appealCredentials(reference, request));
  }

  /**
   * The signed receipt of the latest decision (`scheduled`, `rejected`, `completed`, `objected`),
   * verifiable offline with the key at /.well-known/audit-key.json; 404 before a decision and
   * for the few seconds until its audit event is sequenced.
   */
  @Get(':reference/receipt')
  @ApiBearerAuth()
  async receipt(@Param('reference') reference: string, @Req() request: Request) {
    await this.portal.authorize(appealCredentials(reference, request));
    return { receipt: await this.receipts.forReference(reference) };
  }

  /** A message to the support team; an appeal awaiting your answer goes back to review. */
  @Post(':reference/messages')
  @ApiBearerAuth()
  async postMessage(@Param('reference') reference: string, @Body() body: AppealMessageDto, @Req() request: Request) {
    return this.portal.postMessage(appealCredentials(reference, request), body.body, { ip: clientIp(request) });
  }

  @Post(':reference/cancel')
  @HttpCode(200)
  @ApiBearerAuth()
  async cancel(@Param('reference') reference: string, @Req() request: Request) {
    return this.portal.cancel(appealCredentials(reference, request), { ip: clientIp(request) });
  }

  /** JPEG, PNG or PDF (judged by content), 10 MB at most, 5 per appeal. The guard checks the token before the body is read. */
  @Post(':reference/attachments')
  @ApiBearerAuth()
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @UseGuards(AppealAccessGuard)
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: ATTACHMENT_RULES.maxBytes, files: 1, fields: 0 } }))
  async attach(@Param('reference') reference: string, @UploadedFile() file: Express.Multer.File | undefined, @Req() request: Request) {
    if (!file) throw new ValidationFailedError([{ field: 'file', message: 'must be a file sent as multipart/form-data' }]);
    return this.portal.attach(
      appealCredentials(reference, request),
      { originalName: file.originalname, content: file.buffer },
      { ip: clientIp(request) },
    );
  }
}

export function clientIp(request: Request): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}
