import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class SecondaryResendDto {
  @ApiProperty({ description: 'The `challengeId` of the 202 answer', format: 'uuid' })
  @IsString()
  @Length(1, 64)
  challengeId!: string;
}
