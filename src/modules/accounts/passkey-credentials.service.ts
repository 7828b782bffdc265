import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock';
import { AuthenticationResponseJSON, isAssertion, NewCredential, RelyingParty } from '../../common/webauthn/relying-party';
import { uniqueViolation } from '../../database/postgres-errors';
import { AuditService } from '../audit/audit.service';
import { NotificationsService } from '../notifications/notifications.service';
import { PasskeyExistsError } from './accounts.errors';
import { Account } from './entities/account.entity';
import { Passkey } from './entities/passkey.entity';

/** At most this many passkeys per account. */
export const MAX_PASSKEYS = 10;

/** `GET /api/v1/account/passkeys`, one item. */
export interface PasskeyView {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly backedUp: boolean;
  readonly suspect: boolean;
}

/** An assertion's verdict: the passkey that made it, or nothing (unknown credential, bad signature, a clone). */
export type PasskeyAssertion = { readonly ok: true; readonly passkey: Passkey } | { readonly ok: false };

/**
 * The owners' passkeys (the `passkeys` table): listing, storing, renaming, removing, and the
 * check of an assertion against one, which is where a signature counter that went backwards
 * marks the passkey suspect and tells the owner.
 */
@Injectable()
export class PasskeyCredentialsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly relyingParty: RelyingParty,
    private readonly notifications: NotificationsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  list(accountUid: string, manager: EntityManager = this.dataSource.manager): Promise<Passkey[]> {
    return manager.find(Passkey, { where: { accountUid }, order: { createdAt: 'ASC' } });
  }

  async views(accountUid: string): Promise<PasskeyView[]> {
    return (await this.list(accountUid)).map(viewOf);
  }

  async count(accountUid: string, manager: EntityManager = this.dataSource.manager): Promise<number> {
    return manager.count(Passkey, { where: { accountUid } });
  }

  async get(accountUid: string, id: string, manager: EntityManager = this.dataSource.manager): Promise<Passkey | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    return (await manager.findOne(Passkey, { where: { id, accountUid } })) ?? undefined;
  }

  /** Stores a proven credential for the account; 409 PASSKEY_EXISTS when it is registered already (to any account). */
  async add(manager: EntityManager, accountUid: string, credential: NewCredential, name: string): Promise<Passkey> {
    const passkey = Object.assign(new Passkey(), {
      id: randomUUID(),
      accountUid,
      credentialId: credential.credentialId,
      publicKey: credential.publicKey,
      counter: credential.counter,
      transports: credential.transports,
      name,
      backedUp: credential.backedUp,
      suspect: false,
      createdAt: this.clock.now(),
      lastUsedAt: null,
    } satisfies Passkey);
    try {
      await manager.transaction((savepoint) => savepoint.insert(Passkey, passkey));
    } catch (error) {
      if (uniqueViolation(error) === 'passkeys_credential_key') throw new PasskeyExistsError();
      throw error;
    }
    return passkey;
  }

  async exists(credentialId: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    return (await manager.count(Passkey, { where: { credentialId } })) > 0;
  }

  /** Renames the account's passkey; false when the account has no such passkey. */
  async rename(accountUid: string, id: string, name: string): Promise<Passkey | undefined> {
    const passkey = await this.get(accountUid, id);
    if (!passkey) return undefined;
    await this.dataSource.manager.update(Passkey, { id, accountUid }, { name });
    return { ...passkey, name };
  }

  /** Removes the account's passkey through the caller's transaction; the passkey removed, or undefined when there was none. */
  async remove(manager: EntityManager, accountUid: string, id: string): Promise<Passkey | undefined> {
    const passkey = await this.get(accountUid, id, manager);
    if (!passkey) return undefined;
    await manager.delete(Passkey, { id, accountUid });
    return passkey;
  }

  /** Removes every passkey of the account (a completed appeal): how many. */
  async removeAll(manager: EntityManager, accountUid: string): Promise<number> {
    const result = await manager.delete(Passkey, { accountUid });
    return result.affected ?? 0;
  }

  /**
   * Checks an assertion over `webauthnChallenge`, through `manager`: the credential must be a
   * passkey (of `accountUid`, when given) whose signature checks with user verification, for
   * this origin and RP ID. A right one moves the passkey's counter and last use. A counter that
   * went backwards refuses the assertion, marks the passkey suspect and tells its owner.
   */
  async checkAssertion(
    manager: EntityManager,
    answer: unknown,
    webauthnChallenge: string,
    options: { accountUid?: string; ip?: string } = {},
  ): Promise<PasskeyAssertion> {
    if (!isAssertion(answer)) return { ok: false };
    const passkey = await manager.findOne(Passkey, { where: { credentialId: answer.id } });
    if (!passkey || (options.accountUid !== undefined && passkey.accountUid !== options.accountUid)) return { ok: false };
    if (!userHandleMatches(answer, passkey.accountUid)) return { ok: false };
    const outcome = await this.relyingParty.verifyAssertion(answer, webauthnChallenge, passkey);
    if (!outcome.ok) {
      if (outcome.reason === 'counter_regressed') await this.markSuspect(manager, passkey, options.ip);
      return { ok: false };
    }
    const now = this.clock.now();
    await manager.update(Passkey, { id: passkey.id }, { counter: outcome.newCounter, backedUp: outcome.backedUp, lastUsedAt: now });
    return { ok: true, passkey: { ...passkey, counter: outcome.newCounter, lastUsedAt: now } };
  }

  private async markSuspect(manager: EntityManager, passkey: Passkey, ip?: string): Promise<void> {
    await manager.update(Passkey, { id: passkey.id }, { suspect: true });
    const owner = await manager.findOneOrFail(Account, { where: { uid: passkey.accountUid } });
    await this.notifications.notify(manager, {
      template: 'passkey-suspect',
      channel: 'email',
      to: owner.logonEmail,
      locale: owner.locale,
      variables: { uid: owner.uid, at: this.clock.now().toISOString(), name: passkey.name, ip: ip ?? 'unknown' },
      accountUid: owner.uid,
    });
    await this.audit.record(manager, {
      action: 'passkey.suspect',
      actor: { type: 'public' },
      subject: { type: 'account', id: owner.uid },
      data: { passkeyId: passkey.id },
      ip,
    });
  }
}

/** A discoverable credential names its user: it must be the passkey's account (when the browser sends it). */
function userHandleMatches(answer: AuthenticationResponseJSON, accountUid: string): boolean {
  const handle = answer.response.userHandle;
  if (!handle) return true;
  return Buffer.from(handle, 'base64url').toString('utf8') === accountUid;
}

export function viewOf(passkey: Passkey): PasskeyView {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.createdAt,
    lastUsedAt: passkey.lastUsedAt,
    backedUp: passkey.backedUp,
    suspect: passkey.suspect,
  };
}
