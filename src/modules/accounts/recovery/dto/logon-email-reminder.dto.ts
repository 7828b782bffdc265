import { ApiProperty } from '@nestjs/swagger';
import { IsE164Phone } from '../../../../common/validation/is-e164-phone';

export class LogonEmailReminderDto {
  @ApiProperty({ description: 'The secure phone, E.164', example: '+8613812345678' })
  @IsE164Phone()
  securePhone!: string;
}
