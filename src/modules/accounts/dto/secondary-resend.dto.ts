import { ApiProperty } from '@nestjs/swagger';
import { IsUuid } from '../../../common/validation/is-uuid';

export class SecondaryResendDto {
  @ApiProperty({ description: 'The `challengeId` of the 202 answer', format: 'uuid' })
  @IsUuid()
  challengeId!: string;
}
