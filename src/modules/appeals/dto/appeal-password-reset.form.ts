import { IntersectionType } from '@nestjs/swagger';
import { FormDto } from '../../../common/http/form.dto';
import { PasswordConfirmationField } from '../../accounts/dto/password-confirmation.field';
import { AppealPasswordResetDto } from './appeal-password-reset.dto';

/** `/reset-password/:token`: the JSON API's rules, and the page's own confirmation, typed again. */
export class AppealPasswordResetForm extends IntersectionType(FormDto, AppealPasswordResetDto, PasswordConfirmationField) {}
