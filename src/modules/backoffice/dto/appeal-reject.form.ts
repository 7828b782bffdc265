import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AppealActionForm } from './appeal-action.form';

/** Reject: the internal reason and the message the person receives. */
export class AppealRejectForm extends AppealActionForm {
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  reason?: string;

  @IsOptional()
  @IsString()
  @MaxLength(5000)
  message?: string;
}
