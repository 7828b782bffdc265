import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** The team page's change of an agent's role; the role itself is checked by the service, beside its field. */
export class AgentRoleForm extends FormDto {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  role?: string;
}
