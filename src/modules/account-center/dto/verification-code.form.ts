import { IntersectionType, OmitType } from '@nestjs/swagger';
import { TypedFields } from '../../../common/http/form.dto';
import { VerifyDto } from '../../verification/dto/verify.dto';
import { CredentialTextField } from './passkey.forms';
import { VerificationResendForm } from './verification-resend.form';

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
