import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';

/** A field a form may repeat arrives as a string once and as an array beyond. */
const repeated = ({ value }: { value: unknown }) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

/** At most one queue page of appeals at once. */
const MOST = 50;

/**
 * `POST /agent/appeals/bulk` (supervisors): the selected appeals of the queue and what to do to
 * them: `release`, `assign` (to `agentId`) or `reject_duplicate` (closing a flood of junk
 * appeals, with an optional `message`); each appeal may carry the version the queue showed
 * (`<reference>:<version>`), a stale one being skipped. `back` is the queue view to return to.
 */
export class AppealBulkForm extends FormDto {
  @IsIn(['release', 'assign', 'reject_duplicate'], { message: 'Choose release, assign or reject as duplicate.' })
  action!: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  agentId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  back?: string;

  @Transform(repeated)
  @IsArray()
  @ArrayMaxSize(MOST)
  @IsString({ each: true })
  @Matches(/^AP-[A-Z2-7]{10}$/, { each: true })
  references!: string[];

  @IsOptional()
  @Transform(repeated)
  @IsArray()
  @ArrayMaxSize(MOST)
  @IsString({ each: true })
  @Matches(/^AP-[A-Z2-7]{10}:\d{1,10}$/, { each: true })
  versions?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(5000)
  message?: string;
}
