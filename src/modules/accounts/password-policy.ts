import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { PasswordPolicyError, PasswordViolation } from './password-policy.error';
import { PasswordStrengthScorer, StrengthVerdict } from './password-strength';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;
const MIN_SCORE = 3;
/** Local parts shorter than this are too common as substrings to forbid. */
const MIN_IDENTITY_PART = 3;

export interface PasswordContext {
  /** The logon email the password will sign in with. */
  readonly logonEmail: string;
  readonly uid: string;
  /** Resolves true when the candidate equals the current password (argon2 verify against the stored hash). */
  readonly isCurrentPassword?: (candidate: string) => Promise<boolean>;
}

/**
 * The password policy of docs/product.md: 12 to 128 characters, no composition rules, not a common
 * password, not containing the logon email's local part or the UID, not the current password,
 * and a zxcvbn-ts strength score of at least 3 of 4 (of its first characters: see
 * `PasswordStrengthScorer`, which scores off the main thread). One instance per process
 * (`PasswordPolicyModule`), so one scorer thread holds the dictionaries.
 */
@Injectable()
export class PasswordPolicy implements OnModuleDestroy {
  private readonly scorer = new PasswordStrengthScorer();

  /** Every rule `password` breaks; empty when it is acceptable. */
  async violations(password: string, context: PasswordContext): Promise<PasswordViolation[]> {
    const found: PasswordViolation[] = [];
    const length = [...password].length;
    if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
      found.push({ rule: 'length', message: `Use ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.` });
    }
    const lower = password.toLowerCase();
    const identity = identityParts(context);
    // Scoring a password over the limit is wasted work (and a way to make us do it).
    const verdict = length <= PASSWORD_MAX ? await this.scorer.score(password, identity) : undefined;
    if (verdict?.common) {
      found.push({ rule: 'common', message: 'This password is on the list of commonly used passwords.' });
    }
    if (identity.some((part) => lower.includes(part))) {
      found.push({ rule: 'contains_identity', message: 'Do not use your logon email or account ID in the password.' });
    }
    if (verdict && !verdict.common && verdict.score < MIN_SCORE) {
      found.push({ rule: 'weak', message: 'This password is too easy to guess: use a longer phrase of unrelated words.' });
    }
    if (length <= PASSWORD_MAX && context.isCurrentPassword && (await context.isCurrentPassword(password))) {
      found.push({ rule: 'same_as_current', message: 'Choose a password different from your current one.' });
    }
    return found;
  }

  /**
   * How strong a password being typed is, for the pages' meter: zxcvbn's score (0 when common) and
   * its feedback as translation keys. Nothing is kept or logged.
   */
  async strength(password: string): Promise<StrengthVerdict> {
    return this.scorer.score(password, []);
  }

  /** Throws PasswordPolicyError (422) listing every violation. */
  async assertAcceptable(password: string, context: PasswordContext): Promise<void> {
    const found = await this.violations(password, context);
    if (found.length) throw new PasswordPolicyError(found);
  }

  async onModuleDestroy(): Promise<void> {
    await this.scorer.close();
  }
}

function identityParts({ logonEmail, uid }: PasswordContext): string[] {
  const email = logonEmail.trim().toLowerCase();
  const local = email.split('@')[0];
  return [email, uid, ...(local.length >= MIN_IDENTITY_PART ? [local] : [])].filter(Boolean);
}
