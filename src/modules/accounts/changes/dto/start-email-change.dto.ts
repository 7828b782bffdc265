import { ApiProperty } from '@nestjs/swagger';
import { IsEmailAddress } from '../../../../common/validation/is-email-address';
import { VerificationTokenDto } from './verification-token.dto';

export class StartEmailChangeDto extends VerificationTokenDto {
  @ApiProperty({ example: 'new.owner@example.com', description: 'Trimmed, domain lower-cased; a code goes to it' })
  @IsEmailAddress()
  newEmail!: string;
}
