import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { RECOVERY_METHODS, RecoveryMethod } from '../password-recovery.service';

export class StartPasswordRecoveryDto {
  @ApiProperty({ description: 'The logon email of the account', example: 'ada@example.com' })
  @IsString()
  @MinLength(1)
  @MaxLength(320)
  login!: string;

  @ApiProperty({ enum: RECOVERY_METHODS, description: 'Where the code goes: the logon email or the secure phone' })
  @IsIn(RECOVERY_METHODS)
  method!: RecoveryMethod;
}
