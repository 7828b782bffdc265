import { IsIn } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';
import { REVEALABLE_FIELDS, RevealableField } from '../account-support.service';

export class RevealForm extends FormDto {
  @IsIn(REVEALABLE_FIELDS)
  field!: RevealableField;
}
