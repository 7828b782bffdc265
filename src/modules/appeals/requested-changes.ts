import { normaliseEmail } from '../../common/contacts';
import { ValidationFailedError } from '../../common/errors/domain-error';
import { AppealChange } from '../notifications/notification-templates';
import { RequestedChanges } from './entities/appeal.entity';

/** The changes as filed (the new email normalised); at least one must be asked for. */
export function normaliseChanges(changes: RequestedChanges): RequestedChanges {
  const filed: { -readonly [K in keyof RequestedChanges]: RequestedChanges[K] } = {};
  if (changes.logonEmail !== undefined) filed.logonEmail = normaliseEmail(changes.logonEmail);
  if (changes.securePhone !== undefined) filed.securePhone = changes.securePhone;
  if (changes.resetPassword !== undefined) filed.resetPassword = changes.resetPassword;
  if (changes.disableTotp !== undefined) filed.disableTotp = changes.disableTotp;
  if (!changeKeys(filed).length) throw new ValidationFailedError([{ field: 'changes', message: 'must ask for at least one change' }]);
  return filed;
}

/** The changes asked for, by their docs/api.md names, as the notices list them. */
export function changeKeys(changes: RequestedChanges): AppealChange[] {
  return (['logonEmail', 'securePhone', 'resetPassword', 'disableTotp'] as const).filter((key) => Boolean(changes[key]));
}

/** The changes' names on pages, for the person and for the agents alike. */
export const CHANGE_LABELS: Readonly<Record<string, string>> = {
  logonEmail: 'New logon email',
  securePhone: 'New secure phone',
  resetPassword: 'Password reset',
  disableTotp: 'Remove the authenticator app (TOTP)',
} satisfies Record<AppealChange, string>;
