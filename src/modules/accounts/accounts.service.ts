import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomInt, randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { Clock } from '../../common/clock';
import { isE164Phone, normaliseEmail } from '../../common/contacts';
import { CryptoService } from '../../common/crypto/crypto.service';
import { PasswordHasher } from '../../common/crypto/password-hasher';
import { randomDigits } from '../../common/crypto/tokens';
import { NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { RawEntity, rawEntity } from '../../database/raw-entity';
import { AuditService, ChangeContext } from '../audit/audit.service';
import { AccountFrozenError } from './accounts.errors';
import { AccountsRepository, UidTakenError } from './accounts.repository';
import { Account, AccountStatus } from './entities/account.entity';
import { ContactKind, FormerContact } from './entities/former-contact.entity';
import { RamUser } from './entities/ram-user.entity';
import { LOGIN_NAME } from './login';
import { AuthenticatedSession, requireRoot } from './principal';
import { Locale } from '../../common/locales';

export interface NewAccount {
  readonly logonEmail: string;
  readonly password: string;
  readonly securePhone?: string;
  readonly displayName?: string;
  readonly locale?: Locale;
}

const UID_ATTEMPTS = 5;

/**
 * Accounts and RAM users. Creation and the locale change are complete operations (transaction and
 * audit event). The `set*` methods are building blocks for the verification, appeal and
 * back-office flows: they write through the caller's transaction and leave the audit event to
 * the caller, who knows why the change happens.
 */
@Injectable()
export class AccountsService {
  /** Read by login on every sign-in and recovery: plain SQL built once (TypeORM's query building cost more than the query). */
  private readonly byLogonEmail: { readonly sql: string; readonly row: RawEntity<Account> };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: AccountsRepository,
    private readonly audit: AuditService,
    private readonly hasher: PasswordHasher,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
  ) {
    const row = rawEntity(dataSource, Account, 'a');
    this.byLogonEmail = { sql: `SELECT ${row.columns} FROM accounts a WHERE lower(a.logon_email) = lower($1)`, row };
  }

  /** Provisions an account with a fresh UID. EmailInUseError when another account has the email. */
  async create(input: NewAccount, context: ChangeContext): Promise<Account> {
    if (input.securePhone !== undefined) assertPhone(input.securePhone, 'securePhone');
    const passwordHash = await this.hasher.hash(input.password);
    for (let attempt = 1; ; attempt += 1) {
      const now = this.clock.now();
      const account = Object.assign(new Account(), {
        uid: newUid(),
        logonEmail: normaliseEmail(input.logonEmail),
        securePhone: input.securePhone ?? null,
        passwordHash,
        totpSecret: null,
        totpLastStep: null,
        displayName: input.displayName ?? null,
        locale: input.locale ?? 'en',
        timeZone: null,
        status: 'active',
        passwordChangedAt: now,
        createdAt: now,
        updatedAt: now,
      } satisfies Account);
      try {
        await this.dataSource.transaction(async (manager) => {
          await this.repository.insertAccount(manager, account);
          await this.audit.record(manager, {
            action: 'account.created',
            actor: context.actor,
            subject: { type: 'account', id: account.uid },
            data: { hasSecurePhone: account.securePhone !== null, locale: account.locale },
            ip: context.ip,
          });
        });
        return account;
      } catch (error) {
        if (!(error instanceof UidTakenError) || attempt >= UID_ATTEMPTS) throw error;
      }
    }
  }

  /** NotFoundError when there is no such account. */
  async get(uid: string, manager: EntityManager = this.dataSource.manager): Promise<Account> {
    const account = /^\d{16}$/.test(uid) ? await manager.findOneBy(Account, { uid }) : null;
    if (!account) throw new NotFoundError('There is no such account.');
    return account;
  }

  /** The account whose logon email this is, compared case-insensitively. */
  async findByLogonEmail(email: string, manager: EntityManager = this.dataSource.manager): Promise<Account | null> {
    const [row] = (await manager.query(this.byLogonEmail.sql, [normaliseEmail(email)])) as Record<string, unknown>[];
    return row ? this.byLogonEmail.row.read(row) : null;
  }

  /** The logon emails of the accounts among `uids` (unknown ones left out), for pages that say whose an event is. */
  async logonEmailsOf(uids: readonly string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(uids.filter((uid) => /^\d{16}$/.test(uid)))];
    if (!wanted.length) return new Map();
    const accounts = await this.dataSource.manager.find(Account, { select: { uid: true, logonEmail: true }, where: { uid: In(wanted) } });
    return new Map(accounts.map((account) => [account.uid, account.logonEmail]));
  }

  /** Every account with this secure phone (a phone may secure several accounts). */
  findBySecurePhone(phone: string): Promise<Account[]> {
    return this.dataSource.manager.findBy(Account, { securePhone: phone });
  }

  /** The RAM user `loginName` (case-insensitive) of account `uid`, with its account. */
  findRamUser(uid: string, loginName: string): Promise<(RamUser & { account: Account }) | null> {
    return this.dataSource.manager
      .createQueryBuilder(RamUser, 'ramUser')
      .innerJoinAndSelect('ramUser.account', 'account')
      .where('ramUser.accountUid = :uid AND lower(ramUser.loginName) = lower(:loginName)', { uid, loginName })
      .getOne() as Promise<(RamUser & { account: Account }) | null>;
  }

  /** The account's RAM users, by login name. */
  listRamUsers(uid: string): Promise<RamUser[]> {
    return this.dataSource.manager.find(RamUser, { where: { accountUid: uid }, order: { loginName: 'ASC' } });
  }

  /** LoginNameInUseError when the account already has a RAM user of that name. */
  async createRamUser(uid: string, input: { loginName: string; password: string }, context: ChangeContext): Promise<RamUser> {
    if (!LOGIN_NAME.test(input.loginName)) {
      throw new ValidationFailedError([{ field: 'loginName', message: 'must be 1 to 64 letters, digits, ".", "_" or "-"' }]);
    }
    await this.get(uid);
    const passwordHash = await this.hasher.hash(input.password);
    const now = this.clock.now();
    const ramUser = Object.assign(new RamUser(), {
      id: randomUUID(),
      accountUid: uid,
      loginName: input.loginName,
      passwordHash,
      createdAt: now,
      updatedAt: now,
    } satisfies RamUser);
    await this.dataSource.transaction(async (manager) => {
      await this.repository.insertRamUser(manager, ramUser);
      await this.audit.record(manager, {
        action: 'ram_user.created',
        actor: context.actor,
        subject: { type: 'account', id: uid },
        data: { ramUserId: ramUser.id, loginName: ramUser.loginName },
        ip: context.ip,
      });
    });
    return ramUser;
  }

  /** The language of later messages and pages. */
  async updateLocale(uid: string, locale: Locale, context: ChangeContext): Promise<Account> {
    await this.dataSource.transaction(async (manager) => {
      const { locale: previous } = await this.lock(manager, uid);
      await this.repository.updateAccount(manager, uid, { locale, updatedAt: this.clock.now() });
      await this.audit.record(manager, {
        action: 'account.locale_changed',
        actor: context.actor,
        subject: { type: 'account', id: uid },
        data: { from: previous, to: locale },
        ip: context.ip,
      });
    });
    return this.get(uid);
  }

  /** The language and time zone of the account's pages and messages (the page setting of /security). */
  async updatePreferences(uid: string, preferences: { locale: Locale; timeZone: string | null }, context: ChangeContext): Promise<Account> {
    await this.dataSource.transaction(async (manager) => {
      const previous = await this.lock(manager, uid);
      await this.repository.updateAccount(manager, uid, { ...preferences, updatedAt: this.clock.now() });
      await this.audit.record(manager, {
        action: 'account.preferences_changed',
        actor: context.actor,
        subject: { type: 'account', id: uid },
        data: { from: { locale: previous.locale, timeZone: previous.timeZone }, to: preferences },
        ip: context.ip,
      });
    });
    return this.get(uid);
  }

  /**
   * The account of a session that may change its security settings: only the owner (403
   * ROOT_ACCOUNT_REQUIRED or FEDERATED_IDENTITY otherwise, with the pointer each needs), and
   * never while the account is frozen (423 ACCOUNT_FROZEN).
   */
  async getChangeable(session: AuthenticatedSession): Promise<Account> {
    requireRoot(session.principal);
    const account = session.account ?? (await this.get(session.accountUid));
    assertNotFrozen(account);
    return account;
  }

  verifyPassword(account: Pick<Account, 'passwordHash'>, password: string): Promise<boolean> {
    return this.hasher.verify(account.passwordHash, password);
  }

  /** argon2id, before the transaction that stores it: hashing takes tens of milliseconds. */
  hashPassword(password: string): Promise<string> {
    return this.hasher.hash(password);
  }

  /** The account, locked (SELECT ... FOR UPDATE) until the caller's transaction ends. */
  async lock(manager: EntityManager, uid: string): Promise<Account> {
    const account = await manager.findOne(Account, { where: { uid }, lock: { mode: 'pessimistic_write' } });
    if (!account) throw new NotFoundError('There is no such account.');
    return account;
  }

  /** EmailInUseError when another account has it (case-insensitively). */
  async setLogonEmail(manager: EntityManager, uid: string, email: string): Promise<void> {
    const former = await this.get(uid, manager);
    const logonEmail = normaliseEmail(email);
    await this.repository.updateAccount(manager, uid, { logonEmail, updatedAt: this.clock.now() });
    if (former.logonEmail !== logonEmail) await this.keepFormerContact(manager, uid, 'logon_email', former.logonEmail);
  }

  /** E.164, or null to remove the phone. */
  async setSecurePhone(manager: EntityManager, uid: string, phone: string | null): Promise<void> {
    if (phone !== null) assertPhone(phone, 'securePhone');
    const former = await this.get(uid, manager);
    await this.repository.updateAccount(manager, uid, { securePhone: phone, updatedAt: this.clock.now() });
    if (former.securePhone !== null && former.securePhone !== phone)
      await this.keepFormerContact(manager, uid, 'secure_phone', former.securePhone);
  }

  /** UIDs of the accounts that once had this logon email (case-insensitive) or secure phone. */
  async findByFormerContact(kind: ContactKind, value: string): Promise<string[]> {
    const rows: { account_uid: string }[] = await this.dataSource.query(
      `SELECT DISTINCT account_uid FROM former_contacts WHERE kind = $1 AND lower(value) = lower($2)`,
      [kind, kind === 'logon_email' ? normaliseEmail(value) : value],
    );
    return rows.map((row) => row.account_uid);
  }

  /** The account's former contacts, newest first. */
  formerContacts(uid: string, manager: EntityManager = this.dataSource.manager): Promise<FormerContact[]> {
    return manager.find(FormerContact, { where: { accountUid: uid }, order: { replacedAt: 'DESC' } });
  }

  /**
   * The addresses the account signed in from (any principal: root, RAM users, roles, SSO) between
   * `from` and `until`, at most `limit` distinct ones; read by `sessions_account_created_idx`.
   */
  async signInAddresses(
    uid: string,
    from: Date,
    until: Date,
    manager: EntityManager = this.dataSource.manager,
    limit = 500,
  ): Promise<string[]> {
    const rows: { ip: string }[] = await manager.query(
      `SELECT DISTINCT ip FROM sessions WHERE account_uid = $1 AND created_at >= $2 AND created_at < $3 AND ip IS NOT NULL LIMIT $4`,
      [uid, from, until, limit],
    );
    return rows.map((row) => row.ip);
  }

  /** Every replaced contact is kept, so appeals can name an account by it and objection notices reach it. */
  private async keepFormerContact(manager: EntityManager, uid: string, kind: ContactKind, value: string): Promise<void> {
    await manager.insert(FormerContact, { accountUid: uid, kind, value, replacedAt: this.clock.now() });
  }

  /** Stores a hash from `hashPassword` and moves `passwordChangedAt`. Revoking sessions is the caller's part. */
  async setPasswordHash(manager: EntityManager, uid: string, passwordHash: string): Promise<void> {
    const now = this.clock.now();
    await this.repository.updateAccount(manager, uid, { passwordHash, passwordChangedAt: now, updatedAt: now });
  }

  /**
   * Seals and stores the active TOTP secret (base32), or null to turn TOTP off. `acceptedStep` is
   * the step of the code that proved the new secret (it cannot be replayed); recovery codes are
   * TotpService's part.
   */
  async setTotpSecret(manager: EntityManager, uid: string, secret: string | null, acceptedStep: number | null = null): Promise<void> {
    await this.repository.updateAccount(manager, uid, {
      totpSecret: secret === null ? null : this.crypto.seal(secret),
      totpLastStep: secret === null ? null : acceptedStep,
      updatedAt: this.clock.now(),
    });
  }

  /** The account's TOTP secret in clear, or null when TOTP is off. */
  totpSecretOf(account: Pick<Account, 'totpSecret'>): string | null {
    return account.totpSecret === null ? null : this.crypto.unseal(account.totpSecret);
  }

  /** Freezing also needs every session revoked (SessionsService.revokeForAccount), in the same transaction. */
  async setStatus(manager: EntityManager, uid: string, status: AccountStatus): Promise<void> {
    await this.repository.updateAccount(manager, uid, { status, updatedAt: this.clock.now() });
  }
}

/** 423 ACCOUNT_FROZEN: a frozen account takes no verification and no change until an appeal or a supervisor unfreezes it. */
export function assertNotFrozen(account: Pick<Account, 'status'>): void {
  if (account.status === 'frozen') throw new AccountFrozenError();
}

/** 16 random decimal digits, the first never 0. */
export function newUid(): string {
  return `${randomInt(1, 10)}${randomDigits(15)}`;
}

function assertPhone(phone: string, field: string): void {
  if (!isE164Phone(phone))
    throw new ValidationFailedError([{ field, message: 'must be a valid phone number in E.164 format, such as +8613812345678' }]);
}
