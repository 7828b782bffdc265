import { IsIn, IsString, Length } from 'class-validator';
import { IsEmailAddress } from '../../../common/validation/is-email-address';
import { AGENT_ROLES, AgentRole } from '../../agents/entities/agent.entity';
import { IsNewPassword } from '../../accounts/dto/is-new-password';

export class CreateAgentDto {
  @IsEmailAddress()
  email!: string;

  @IsString()
  @Length(1, 100)
  name!: string;

  @IsIn(AGENT_ROLES)
  role!: AgentRole;

  @IsNewPassword({ policyLength: true })
  password!: string;
}
