import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length } from 'class-validator';
import { IsUuid } from '../../../../common/validation/is-uuid';

/** The credential the browser made for a registration of `POST /api/v1/account/passkeys/registration-options`. */
export class RegisterPasskeyDto {
  @ApiProperty({ format: 'uuid' })
  @IsUuid()
  registrationId!: string;

  @ApiPropertyOptional({ description: 'What the owner calls it (1-64 characters); a dated default otherwise', example: 'MacBook Touch ID' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  name?: string;

  @ApiProperty({
    description:
      'A `RegistrationResponseJSON` (`id`, `rawId`, `type`, `response: { clientDataJSON, attestationObject }`); other members are ignored',
    type: 'object',
    additionalProperties: true,
  })
  @IsObject()
  credential!: Record<string, unknown>;
}

export class RenamePasskeyDto {
  @ApiProperty({ example: 'Work laptop' })
  @IsString()
  @Length(1, 64)
  name!: string;
}
