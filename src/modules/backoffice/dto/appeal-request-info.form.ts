import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AppealActionForm } from './appeal-action.form';

/** Request information: the question emailed to the person. */
export class AppealRequestInfoForm extends AppealActionForm {
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  message?: string;
}
