import { ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';

/** `YYYY-MM-DD` naming a real day (no 2026-02-30). */
@ValidatorConstraint({ name: 'isCalendarDate' })
export class IsCalendarDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }

  defaultMessage(): string {
    return 'must be a date written YYYY-MM-DD';
  }
}
