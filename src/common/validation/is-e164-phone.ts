import { ValidateBy, ValidationOptions } from 'class-validator';
import { isE164Phone } from '../contacts';

/** A request field holding a valid phone number in E.164 (`+8613812345678`). */
export function IsE164Phone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isE164Phone',
      validator: { validate: isE164Phone, defaultMessage: () => 'must be a valid phone number in E.164 format, such as +8613812345678' },
    },
    options,
  );
}
