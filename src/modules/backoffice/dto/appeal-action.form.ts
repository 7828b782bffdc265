import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** Every action on an appeal carries the version the agent saw (a stale one answers 409 and changes nothing). */
export class AppealActionForm extends FormDto {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  version!: number;
}
