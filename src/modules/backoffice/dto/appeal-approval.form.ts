import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AppealActionForm } from './appeal-action.form';

/** Approve and Confirm approval: the rationale (required by the service below the evidence threshold). */
export class AppealApprovalForm extends AppealActionForm {
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  rationale?: string;
}
