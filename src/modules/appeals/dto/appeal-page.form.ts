import { IntersectionType, PickType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { FormTexts } from '../../../common/http/form-body';
import { FormDto, TypedFields } from '../../../common/http/form.dto';
import { LOCALES } from '../../../common/locales';
import { ContactVerificationDto } from './contact-verification.dto';
import { ContactCodeDto } from './file-appeal.dto';

export const APPEAL_FORM_STEPS = ['send-code', 'resend-code', 'check-code', 'file'] as const;
export type AppealFormStep = (typeof APPEAL_FORM_STEPS)[number];

/**
 * Every field the steps of `/appeal` post (`step` says which). Names follow the JSON body of
 * `POST /api/v1/appeals` as dotted paths; each step is validated against the JSON API's DTO of
 * what it does (the contact email and its code below, the filing against `FileAppealDto`), so
 * their messages land beside their inputs. Here only types and generous sizes are checked: a
 * refusal here is an error page, not a field error.
 */
export class AppealPageForm extends FormDto {
  @IsIn(APPEAL_FORM_STEPS)
  step!: AppealFormStep;

  @IsOptional() @IsString() @MaxLength(1000) email?: string;
  @IsOptional() @IsIn(LOCALES) locale?: string;
  @IsOptional() @IsString() @MaxLength(1000) 'contactVerification.id'?: string;
  @IsOptional() @IsString() @MaxLength(1000) 'contactVerification.code'?: string;
  @IsOptional() @IsString() @MaxLength(1000) 'account.uid'?: string;
  @IsOptional() @IsString() @MaxLength(1000) 'account.logonEmail'?: string;
  @IsOptional() @IsString() @MaxLength(1000) 'account.securePhone'?: string;
  /** A page field: the country a national number in `account.securePhone` is read in. */
  @IsOptional() @IsString() @MaxLength(2) 'account.securePhoneCountry'?: string;
  /** A checkbox: the verified contact email becomes the new logon email. */
  @IsOptional() @IsIn(['true']) 'changes.logonEmail'?: string;
  @IsOptional() @IsString() @MaxLength(1000) 'changes.securePhone'?: string;
  /** A page field: the country a national number in `changes.securePhone` is read in. */
  @IsOptional() @IsString() @MaxLength(2) 'changes.securePhoneCountry'?: string;
  @IsOptional() @IsIn(['true']) 'changes.resetPassword'?: string;
  @IsOptional() @IsIn(['true']) 'changes.disableTotp'?: string;
  @IsOptional() @IsString() @MaxLength(1000) 'evidence.fullName'?: string;
  @IsOptional() @IsString() @MaxLength(10000) 'evidence.description'?: string;
  @IsOptional() @IsString() @MaxLength(1000) 'evidence.idDocumentType'?: string;
  @IsOptional() @IsString() @MaxLength(1000) 'evidence.idDocumentLast4'?: string;
  @IsOptional() @IsString() @MaxLength(1000) 'evidence.lastPaymentAmount'?: string;
  @IsOptional() @IsString() @MaxLength(1000) 'evidence.lastPaymentDate'?: string;
  /** One per line (or separated by commas). */
  @IsOptional() @IsString() @MaxLength(5000) 'evidence.resourceIds'?: string;
  @IsOptional() @IsString() @MaxLength(1000) 'evidence.usualRegion'?: string;
}

/** Step 1's contact email, by the rule of `POST /api/v1/appeals/contact-verifications`. */
export class AppealContactEmailForm extends IntersectionType(PickType(ContactVerificationDto, ['email'] as const), TypedFields('email')) {}

export const APPEAL_CONTACT_EMAIL_TEXTS: FormTexts = {
  email: { isMissing: 'appeal:errors.emailMissing', isEmail: 'appeal:errors.emailInvalid' },
};

/** The code sent to the contact email, by the rule of the filing's `contactVerification.code`. */
export class AppealContactCodeForm extends IntersectionType(PickType(ContactCodeDto, ['code'] as const), TypedFields('code')) {}

export const APPEAL_CONTACT_CODE_TEXTS: FormTexts = {
  code: { isString: 'appeal:required.contactVerification-code' },
};
