import { IntersectionType, PickType } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FormDto } from '../../../common/http/form.dto';
import { StartVerificationDto } from '../../verification/dto/start-verification.dto';

/** The verification a code form answers: its id, in the page's hidden field (the JSON API has it in the URL). */
class VerificationIdField {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  id?: string;
}

/** Another code for the verification `id` started for `purpose` (the API's rule for a purpose). */
export class VerificationResendForm extends IntersectionType(
  FormDto,
  PickType(StartVerificationDto, ['purpose'] as const),
  VerificationIdField,
) {}
