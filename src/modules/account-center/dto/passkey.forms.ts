import { IntersectionType, PickType } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto, NextField, TypedFields } from '../../../common/http/form.dto';
import { CREDENTIAL_FIELD_MAX } from '../../../common/webauthn/credential-field';
import { PasskeySignInDto } from '../../accounts/dto/passkey-sign-in.dto';
import { RegisterPasskeyDto, RenamePasskeyDto } from '../../accounts/changes/dto/passkey.dto';

/**
 * A page field: the browser's WebAuthn answer, posted as JSON text in a hidden field (the JSON
 * API takes the object itself); `parseCredential` reads it and the service checks it.
 */
export class CredentialTextField {
  @IsOptional()
  @IsString()
  @MaxLength(CREDENTIAL_FIELD_MAX)
  credential?: string;
}

/** Sign-in with a passkey from /login: the API's rule for the challenge, the answer as text, where to go next. */
export class PasskeySignInForm extends IntersectionType(
  FormDto,
  PickType(PasskeySignInDto, ['challengeId'] as const),
  CredentialTextField,
  NextField,
) {}

/** The credential a browser made on /security/passkeys/new: the API's rules for the registration and the name (empty: a dated default). */
export class PasskeyRegistrationForm extends IntersectionType(
  FormDto,
  PickType(RegisterPasskeyDto, ['registrationId', 'name'] as const),
  CredentialTextField,
  TypedFields('name'),
) {}

/** A passkey's new name, by the API's rule (1 to 64 characters, trimmed here). */
export class PasskeyRenameForm extends IntersectionType(FormDto, RenamePasskeyDto, TypedFields('name')) {}

export { parseCredential } from '../../../common/webauthn/credential-field';
