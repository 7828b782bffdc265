import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** Revoke sessions, freeze, unfreeze: the reason is checked by the service, so a missing one shows beside its field. */
export class AccountActionForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}
