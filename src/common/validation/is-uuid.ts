import { ValidateBy, ValidationOptions } from 'class-validator';

/** A UUID as PostgreSQL's `uuid` type reads one (any version), for the places that need the pattern itself (cursor parts). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `text` is a UUID as PostgreSQL's `uuid` type reads one (any version): ids of rows, challenges and recoveries. */
export function isUuid(text: unknown): text is string {
  return typeof text === 'string' && UUID_PATTERN.test(text);
}

/** A request field holding an id the service issued (a UUID); anything else can name nothing. */
export function IsUuid(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isUuid', validator: { validate: isUuid, defaultMessage: () => 'must be an id as the service issued it (a UUID)' } },
    options,
  );
}
