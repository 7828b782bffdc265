import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IsUuid } from '../../../common/validation/is-uuid';
import { SIGN_IN_METHODS, SignInMethod } from '../secondary-sign-in.service';

/** "Try another way": the pending sign-in and the method it goes on with. */
export class SecondaryMethodDto {
  @ApiProperty({ description: 'The `challengeId` of the 202 answer', format: 'uuid' })
  @IsUuid()
  challengeId!: string;

  @ApiProperty({ enum: SIGN_IN_METHODS, description: 'One of the `otherMethods` of the 202 answer' })
  @IsIn(SIGN_IN_METHODS)
  method!: SignInMethod;
}
