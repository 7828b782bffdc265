import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** A browser's WebAuthn answer, as JSON text in a hidden field (a few kilobytes at most). */
const CREDENTIAL_MAX = 16_384;

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

/** The JSON of a hidden `credential` field; undefined when it is not JSON (the service then refuses it as it would any bad credential). */
export function parseCredential(value: string | undefined): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}
