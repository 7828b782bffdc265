import { ApiProperty } from '@nestjs/swagger';
import { IsE164Phone } from '../../../../common/validation/is-e164-phone';
import { VerificationTokenDto } from './verification-token.dto';

export class StartPhoneChangeDto extends VerificationTokenDto {
  @ApiProperty({ example: '+8613912345678', description: 'E.164; a code goes to it by SMS' })
  @IsE164Phone()
  newPhone!: string;
}
