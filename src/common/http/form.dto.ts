import { Type } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { isCountry, normalisePhone } from '../phones';

/**
 * Base of every page form's DTO: unknown fields are refused, and every form posts the CSRF field
 * (checked by CsrfGuard before the body is read).
 */
export class FormDto {
  @IsOptional()
  @IsString()
  _csrf?: string;
}

/** `next`: where to go afterwards, read by `localPath` (which refuses anything but a path of this site). */
export class NextField {
  @IsOptional()
  @IsString()
  @MaxLength(512)
  next?: string;
}

/**
 * A text box as a person fills it in: surrounding spaces trimmed, and one left empty is a field
 * not given (undefined), so that the DTO's own rule for a missing field words it ("Enter the code")
 * rather than a length rule. Only a transformation: the DTO the form extends keeps every rule.
 */
export function Typed(then: (text: string) => string = (text) => text): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string') return value;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : then(trimmed);
  });
}

/** A class whose `properties` are `Typed`, to intersect with the DTO a form extends (its rules stay as they are). */
export function TypedFields(...properties: readonly string[]): Type<object> {
  class TypedFields {}
  for (const property of properties) Typed()(TypedFields.prototype, property);
  return TypedFields;
}

/**
 * A phone field of a page, typed as people type it (`139 1234 5678`, `+86 139…`): read as a
 * number of the country in the form's `countryField` and turned into E.164, for the JSON API's
 * `IsE164Phone` rule to judge; left as typed (trimmed) when it reads as no valid number, which
 * that rule then refuses; undefined when left empty (as `Typed`).
 */
export function ReadAsPhone(countryField: string): PropertyDecorator {
  return Transform(({ value, obj }: { value: unknown; obj: Record<string, unknown> }) => {
    if (typeof value !== 'string') return value;
    const typed = value.trim();
    const country = obj[countryField];
    if (!typed) return undefined;
    return (isCountry(country) ? normalisePhone(typed, country) : undefined) ?? typed;
  });
}

/** The country a page's phone field is read in (a page field, defaulted to the page language's country). */
export class CountryField {
  @IsOptional()
  @IsString()
  @MaxLength(2)
  country?: string;
}
