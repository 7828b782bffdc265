import { IsString, MaxLength } from 'class-validator';
import type { FormTexts } from '../../../common/http/form-body';
import { FormDto, Typed } from '../../../common/http/form.dto';

/**
 * `/appeal/status`: open an appeal with its reference (read in capitals, as it is written) and
 * access token. The JSON API takes the two in headers, not in a body, so the rules are the page's.
 */
export class AppealStatusOpenForm extends FormDto {
  @Typed((text) => text.toUpperCase())
  @IsString()
  @MaxLength(64)
  reference!: string;

  @Typed()
  @IsString()
  @MaxLength(128)
  accessToken!: string;
}

export const APPEAL_STATUS_OPEN_TEXTS: FormTexts = {
  reference: { isString: 'appeal:open.enterReference' },
  accessToken: { isString: 'appeal:open.enterToken' },
};
