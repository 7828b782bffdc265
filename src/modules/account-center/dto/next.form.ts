import { IntersectionType } from '@nestjs/swagger';
import { FormDto, NextField } from '../../../common/http/form.dto';

/** A button that only carries where to go after sign-in (resend the sign-in code). */
export class NextForm extends IntersectionType(FormDto, NextField) {}
