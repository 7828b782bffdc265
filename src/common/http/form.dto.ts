import { IsOptional, IsString } from 'class-validator';

/**
 * Base of every page form's DTO: the global validation pipe refuses unknown fields, and every
 * form posts the CSRF field (checked by CsrfGuard before the pipe runs).
 */
export class FormDto {
  @IsOptional()
  @IsString()
  _csrf?: string;
}
