import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { VERIFICATION_METHODS, VerificationMethod } from '../../accounts/account-view';
import { VERIFICATION_PURPOSES, VerificationPurpose } from '../verification-purpose';

export class StartVerificationDto {
  @ApiProperty({ enum: VERIFICATION_PURPOSES, description: 'The change the verification token will authorise' })
  @IsIn(VERIFICATION_PURPOSES)
  purpose!: VerificationPurpose;

  @ApiProperty({ enum: VERIFICATION_METHODS, description: 'One of the account’s `verificationMethods`' })
  @IsIn(VERIFICATION_METHODS)
  method!: VerificationMethod;
}
