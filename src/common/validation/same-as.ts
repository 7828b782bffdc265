import { ValidateBy, ValidationArguments, ValidationOptions } from 'class-validator';

/** The field holds the same value as `property` of the same object (a password typed twice). */
export function SameAs(property: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'sameAs',
      constraints: [property],
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => value === (args?.object as Record<string, unknown>)[property],
        defaultMessage: () => `$property must be the same as ${property}`,
      },
    },
    options,
  );
}
