import { IntersectionType } from '@nestjs/swagger';
import type { FormTexts } from '../../../common/http/form-body';
import { FormDto, TypedFields } from '../../../common/http/form.dto';
import { AppealMessageDto } from './appeal-message.dto';

/** `/appeal/status/messages`: the JSON API's rules for a message. */
export class AppealMessageForm extends IntersectionType(FormDto, AppealMessageDto, TypedFields('body')) {}

export const APPEAL_MESSAGE_TEXTS: FormTexts = {
  body: { isString: 'appeal:messages.empty', isLength: 'appeal:messages.tooLong' },
};
