import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';
import { CREDENTIAL_FIELD_MAX } from '../../../common/webauthn/credential-field';

/** The credential a browser made on /agent/me/passkeys/new. */
export class AgentPasskeyForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  registrationId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(CREDENTIAL_FIELD_MAX)
  credential?: string;
}
