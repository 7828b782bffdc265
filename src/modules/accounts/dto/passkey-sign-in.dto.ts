import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';
import { IsUuid } from '../../../common/validation/is-uuid';

/** A passkey's assertion over the challenge of `POST /api/v1/sessions/passkey-options`. */
export class PasskeySignInDto {
  @ApiProperty({ description: 'The `challengeId` of the passkey options', format: 'uuid' })
  @IsUuid()
  challengeId!: string;

  @ApiProperty({
    description:
      'An `AuthenticationResponseJSON` (`id`, `rawId`, `type: "public-key"`, `response: { clientDataJSON, authenticatorData, signature, userHandle }`, base64url), as the browser gives it; other members are ignored',
    type: 'object',
    additionalProperties: true,
  })
  @IsObject()
  credential!: Record<string, unknown>;
}
