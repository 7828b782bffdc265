import { IsIn, IsOptional } from 'class-validator';
import { AppealActionForm } from './appeal-action.form';

const VERDICTS = ['match', 'mismatch', 'unknown'];

/** What the agent found checking each owner fact the person gave; `unknown` (or absent): not checked. */
export class AppealFactsForm extends AppealActionForm {
  @IsOptional()
  @IsIn(VERDICTS)
  idDocument?: string;

  @IsOptional()
  @IsIn(VERDICTS)
  lastPayment?: string;

  @IsOptional()
  @IsIn(VERDICTS)
  resourceIds?: string;

  @IsOptional()
  @IsIn(VERDICTS)
  usualRegion?: string;
}
