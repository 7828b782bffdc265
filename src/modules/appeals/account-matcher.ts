import { Injectable } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service';
import { AccountMatch } from './entities/appeal.entity';

/** The account identifiers of a filing as typed, normalised (email domain lower-cased). */
export interface ClaimedIdentifiers {
  readonly uid: string | null;
  readonly logonEmail: string | null;
  readonly securePhone: string | null;
}

export interface MatchResult {
  readonly match: AccountMatch;
  /** Set when the identifiers point to exactly one account. */
  readonly accountUid: string | null;
}

/**
 * Finds the account an appeal is about. Each identifier typed is looked up among current AND
 * former contacts (a person who lost their email typically knows the old one); the account is
 * the one every identifier that found something agrees on. None found: `unmatched`; found
 * accounts that disagree (or a phone shared by several accounts): `ambiguous`.
 *
 * The same lookups run whatever the answer, so the time taken says nothing about it.
 */
@Injectable()
export class AccountMatcher {
  constructor(private readonly accounts: AccountsService) {}

  async match(claimed: ClaimedIdentifiers): Promise<MatchResult> {
    const [byUid, byEmail, byFormerEmail, byPhone, byFormerPhone] = await Promise.all([
      claimed.uid
        ? this.accounts.get(claimed.uid).then(
            (account) => [account.uid],
            () => [],
          )
        : [],
      claimed.logonEmail ? this.accounts.findByLogonEmail(claimed.logonEmail).then((account) => (account ? [account.uid] : [])) : [],
      claimed.logonEmail ? this.accounts.findByFormerContact('logon_email', claimed.logonEmail) : [],
      claimed.securePhone
        ? this.accounts.findBySecurePhone(claimed.securePhone).then((accounts) => accounts.map((account) => account.uid))
        : [],
      claimed.securePhone ? this.accounts.findByFormerContact('secure_phone', claimed.securePhone) : [],
    ]);
    const found = [byUid, [...byEmail, ...byFormerEmail], [...byPhone, ...byFormerPhone]]
      .map((uids) => new Set(uids))
      .filter((uids) => uids.size > 0);
    if (!found.length) return { match: 'unmatched', accountUid: null };
    const agreed = [...found[0]].filter((uid) => found.every((uids) => uids.has(uid)));
    return agreed.length === 1 ? { match: 'matched', accountUid: agreed[0] } : { match: 'ambiguous', accountUid: null };
  }
}
