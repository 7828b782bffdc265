import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { IsEmailAddress } from '../../../common/validation/is-email-address';

export class AccessTokenResendDto {
  @ApiProperty({ description: 'The appeal reference.', example: 'AP-7KQ2M4XZ9B' })
  @IsString()
  @Length(1, 32)
  reference!: string;

  @ApiProperty({ description: 'The contact email verified when the appeal was filed.', example: 'ada.new@example.com' })
  @IsEmailAddress()
  email!: string;
}
