import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../../common/clock';
import { NotFoundError } from '../../../common/errors/domain-error';
import { isRegistration, PublicKeyCredentialCreationOptionsJSON, RelyingParty } from '../../../common/webauthn/relying-party';
import { AuditService } from '../../audit/audit.service';
import { CodeChallengesService } from '../../challenges/code-challenges.service';
import { VerificationTokensService } from '../../challenges/verification-tokens.service';
import { NotificationsService } from '../../notifications/notifications.service';
import { PasskeyExistsError, PasskeyInvalidError, PasskeyLimitError } from '../accounts.errors';
import { AccountsService, assertNotFrozen } from '../accounts.service';
import { MAX_PASSKEYS, PasskeyCredentialsService } from '../passkey-credentials.service';
import { AuthenticatedSession, auditActorOf } from '../principal';
import { SecurityRevertsService } from './security-reverts.service';

/** The WebAuthn ceremony of a registration (`purpose` of its challenge). */
const REGISTRATION = 'registration';

/**
 * The owner's passkeys as self-service changes: adding one (a verification of purpose
 * `add_passkey`, then the browser's credential), renaming, removing (purpose `remove_passkey`).
 * Adding sends `passkey-added` with a "this wasn't me" link that removes that passkey and
 * freezes the account; removing sends `passkey-removed`.
 */
@Injectable()
export class PasskeyRegistrationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly passkeys: PasskeyCredentialsService,
    private readonly challenges: CodeChallengesService,
    private readonly tokens: VerificationTokensService,
    private readonly relyingParty: RelyingParty,
    private readonly reverts: SecurityRevertsService,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * The creation options of a new passkey: the verification token (purpose `add_passkey`) is
   * used up here; 409 PASSKEY_LIMIT when the account has 10 already (the token stays valid).
   */
  async options(
    session: AuthenticatedSession,
    verificationToken: string,
  ): Promise<{ registrationId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
    const account = await this.accounts.getChangeable(session);
    const existing = await this.passkeys.list(account.uid);
    if (existing.length >= MAX_PASSKEYS) throw new PasskeyLimitError(MAX_PASSKEYS);
    const binding = { accountUid: account.uid, sessionId: session.sessionId, purpose: 'add_passkey' };
    await this.dataSource.transaction((manager) => this.tokens.consume(manager, verificationToken, binding));
    const issued = await this.challenges.issueWebAuthn({ purpose: REGISTRATION, accountUid: account.uid, sessionId: session.sessionId });
    const options = await this.relyingParty.registrationOptions({
      challenge: issued.webauthnChallenge,
      userId: account.uid,
      userName: account.logonEmail,
      displayName: account.logonEmail,
      exclude: existing,
    });
    return { registrationId: issued.id, options };
  }

  /** Stores the credential the browser made for the registration `registrationId` (of this session). */
  async register(
    session: AuthenticatedSession,
    request: { registrationId: string; name?: string; credential: unknown },
    ip?: string,
  ): Promise<{ id: string; name: string; createdAt: Date }> {
    const account = await this.accounts.getChangeable(session);
    const context = await this.challenges.consumeWebAuthn(request.registrationId, REGISTRATION, {
      accountUid: account.uid,
      sessionId: session.sessionId,
    });
    if (!context || typeof context.webauthnChallenge !== 'string')
      throw new PasskeyInvalidError('This registration is unknown, used or expired: start again.');
    if (!isRegistration(request.credential)) throw new PasskeyInvalidError();
    const credential = await this.relyingParty.verifyRegistration(request.credential, context.webauthnChallenge);
    if (!credential) throw new PasskeyInvalidError();
    if (await this.passkeys.exists(credential.credentialId)) throw new PasskeyExistsError();

    return this.dataSource.transaction(async (manager) => {
      const current = await this.accounts.lock(manager, account.uid);
      assertNotFrozen(current);
      if ((await this.passkeys.count(current.uid, manager)) >= MAX_PASSKEYS) throw new PasskeyLimitError(MAX_PASSKEYS);
      const name = request.name?.trim() || `Passkey ${this.clock.now().toISOString().slice(0, 10)}`;
      const passkey = await this.passkeys.add(manager, current.uid, credential, name);
      const revertUrl = await this.reverts.issue(manager, { accountUid: current.uid, kind: 'passkey', formerValue: passkey.id });
      await this.notifications.notify(manager, {
        template: 'passkey-added',
        channel: 'email',
        to: current.logonEmail,
        locale: current.locale,
        variables: { uid: current.uid, at: passkey.createdAt.toISOString(), name, revertUrl },
        accountUid: current.uid,
      });
      await this.audit.record(manager, {
        action: 'account.passkey_added',
        actor: auditActorOf(session.principal),
        subject: { type: 'account', id: current.uid },
        data: { passkeyId: passkey.id, sessionId: session.sessionId, backedUp: passkey.backedUp },
        ip,
      });
      return { id: passkey.id, name: passkey.name, createdAt: passkey.createdAt };
    });
  }

  async rename(session: AuthenticatedSession, id: string, name: string, ip?: string): Promise<{ id: string; name: string }> {
    const account = await this.accounts.getChangeable(session);
    const renamed = await this.passkeys.rename(account.uid, id, name.trim());
    if (!renamed) throw noSuchPasskey();
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        action: 'account.passkey_renamed',
        actor: auditActorOf(session.principal),
        subject: { type: 'account', id: account.uid },
        data: { passkeyId: id },
        ip,
      }),
    );
    return { id: renamed.id, name: renamed.name };
  }

  /** Removes a passkey with a verification token of purpose `remove_passkey`; 404 when the account has no such passkey. */
  async remove(session: AuthenticatedSession, id: string, verificationToken: string, ip?: string): Promise<void> {
    const account = await this.accounts.getChangeable(session);
    if (!(await this.passkeys.get(account.uid, id))) throw noSuchPasskey();
    const binding = { accountUid: account.uid, sessionId: session.sessionId, purpose: 'remove_passkey' };
    await this.tokens.assertUsable(verificationToken, binding);
    await this.dataSource.transaction(async (manager) => {
      const current = await this.accounts.lock(manager, account.uid);
      assertNotFrozen(current);
      const removed = await this.passkeys.remove(manager, current.uid, id);
      if (!removed) throw noSuchPasskey();
      await this.tokens.consume(manager, verificationToken, binding);
      await this.notifications.notify(manager, {
        template: 'passkey-removed',
        channel: 'email',
        to: current.logonEmail,
        locale: current.locale,
        variables: { uid: current.uid, at: this.clock.now().toISOString(), name: removed.name },
        accountUid: current.uid,
      });
      await this.audit.record(manager, {
        action: 'account.passkey_removed',
        actor: auditActorOf(session.principal),
        subject: { type: 'account', id: current.uid },
        data: { passkeyId: id, sessionId: session.sessionId },
        ip,
      });
    });
  }
}

function noSuchPasskey(): NotFoundError {
  return new NotFoundError('This account has no such passkey.');
}
