import { IsOptional, IsString, MaxLength } from 'class-validator';
import { VerificationResendForm } from './verification-resend.form';

/** The code of a verification (`id`) started for `purpose`. */
export class VerificationCodeForm extends VerificationResendForm {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  code?: string;

  /** For a passkey: the browser's assertion, as JSON. */
  @IsOptional()
  @IsString()
  @MaxLength(16_384)
  credential?: string;
}
