import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

/** A change authorised by the verification token of `POST /api/v1/verifications/:id/verify`. */
export class VerificationTokenDto {
  @ApiProperty({ description: 'From a verification of the matching purpose, in this session' })
  @IsString()
  @Length(1, 128)
  verificationToken!: string;
}
