import { Transform } from 'class-transformer';
import { IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

const repeated = ({ value }: { value: unknown }) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

/** An agent's languages (repeated checkbox) and capacity; AgentsService checks the values. */
export class WorkloadForm extends FormDto {
  @IsOptional()
  @Transform(repeated)
  @IsArray()
  @IsString({ each: true })
  languages?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(8)
  capacity?: string;
}
