import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AppealActionForm } from './appeal-action.form';

/** Add note: an empty body is refused by the service, so the message shows beside the field. */
export class AppealNoteForm extends AppealActionForm {
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  body?: string;
}
