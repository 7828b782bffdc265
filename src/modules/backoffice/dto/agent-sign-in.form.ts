import { CREDENTIAL_FIELD_MAX } from '../../../common/webauthn/credential-field';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** Fields are optional here so an empty one comes back as a message beside it, not a 400 page. */
export class AgentSignInForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;

  @IsOptional()
  @IsString()
  @MaxLength(16)
  totp?: string;
}

/** The second step of an agent's sign-in with a passkey. */
export class AgentPasskeySignInForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  challengeId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(CREDENTIAL_FIELD_MAX)
  credential?: string;
}
