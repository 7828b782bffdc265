import { AuditActor } from '../audit/audit.service';
import { FederatedIdentityError, RootAccountRequiredError } from './accounts.errors';
import { Account } from './entities/account.entity';
import { PrincipalType } from './entities/session.entity';

/** Who is acting within an account: its owner (root), one of its RAM users, a RAM role or an SSO user. */
export interface Principal {
  readonly type: PrincipalType;
  /** The account's UID. */
  readonly uid: string;
  /** The RAM user's login name, or the role or SSO user name; absent for root. */
  readonly name?: string;
  /** For `ram_user`. */
  readonly ramUserId?: string;
}

/** What a request's session says: which session, which account, acting as whom. */
export interface AuthenticatedSession {
  readonly sessionId: string;
  readonly accountUid: string;
  readonly principal: Principal;
  /** The account as read with the session, at the start of the request (changes lock and re-read it). */
  readonly account?: Account;
}

/**
 * Refuses anything but the account owner, with the pointer each other principal needs: RAM users
 * and roles go to their account administrator, SSO users to their identity provider.
 */
export function requireRoot(principal: Principal): void {
  switch (principal.type) {
    case 'root':
      return;
    case 'ram_user':
      throw new RootAccountRequiredError(
        "Only the account owner can do this. Contact your account administrator: a RAM user's password is changed by the administrator in the RAM console.",
      );
    case 'ram_role':
      throw new RootAccountRequiredError(
        'Only the account owner can do this. Contact your account administrator to sign in to the root account.',
      );
    case 'sso':
      throw new FederatedIdentityError();
  }
}

/** The principal as the public API shows it. */
export function principalView(principal: Principal): { type: PrincipalType; uid: string; name?: string } {
  return { type: principal.type, uid: principal.uid, ...(principal.name ? { name: principal.name } : {}) };
}

/** The principal as the audit log names it: the account itself, or `ram_user:alice@<uid>`. */
export function auditActorOf(principal: Principal): AuditActor {
  return principal.type === 'root'
    ? { type: 'account', id: principal.uid }
    : { type: 'principal', id: `${principal.type}:${principal.name}@${principal.uid}` };
}
