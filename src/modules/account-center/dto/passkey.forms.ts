import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

import { CREDENTIAL_FIELD_MAX as CREDENTIAL_MAX } from '../../../common/webauthn/credential-field';

/** Sign-in with a passkey from /login. */
export class PasskeySignInForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  challengeId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(CREDENTIAL_MAX)
  credential?: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  next?: string;
}

/** The credential a browser made on /security/passkeys/new. */
export class PasskeyRegistrationForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  registrationId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(CREDENTIAL_MAX)
  credential?: string;
}

export class PasskeyRenameForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}

export { parseCredential } from '../../../common/webauthn/credential-field';
