import { IntersectionType } from '@nestjs/swagger';
import type { FormTexts } from '../../../common/http/form-body';
import { FormDto } from '../../../common/http/form.dto';
import { StartVerificationDto } from '../../verification/dto/start-verification.dto';

/** Choose how to verify your identity, for one purpose: the JSON API's rules. */
export class StartVerificationForm extends IntersectionType(FormDto, StartVerificationDto) {}

/** What the page says when no method of the list was chosen (a purpose no page links to is a 400). */
export const START_VERIFICATION_TEXTS: FormTexts = {
  method: { isIn: 'account:verify.choose' },
};
