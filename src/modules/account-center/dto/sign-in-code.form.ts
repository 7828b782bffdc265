import { IntersectionType } from '@nestjs/swagger';
import { FormDto, NextField, TypedFields } from '../../../common/http/form.dto';
import { CodeDto } from '../../challenges/dto/code.dto';

/** The code of a pending sign-in (the challenge itself is in the `ac_signin` cookie): the API's rule for a code. */
export class SignInCodeForm extends IntersectionType(FormDto, CodeDto, NextField, TypedFields('code')) {}
