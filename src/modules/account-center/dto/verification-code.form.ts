import { IntersectionType, OmitType } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { TypedFields } from '../../../common/http/form.dto';
import { VerifyDto } from '../../verification/dto/verify.dto';
import { VerificationResendForm } from './verification-resend.form';

export { CODE_TEXTS } from './sign-in-code.form';

/** For a passkey, the page posts the browser's assertion as JSON text (the JSON API takes the object). */
class CredentialTextField {
  @IsOptional()
  @IsString()
  @MaxLength(16_384)
  credential?: string;
}

/**
 * The answer to a verification (`id`) started for `purpose`: the API's rule for a code (optional
 * there too: a passkey answers with its credential instead).
 */
export class VerificationCodeForm extends IntersectionType(
  VerificationResendForm,
  OmitType(VerifyDto, ['credential'] as const),
  CredentialTextField,
  TypedFields('code'),
) {}
