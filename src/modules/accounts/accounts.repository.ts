import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NotFoundError } from '../../common/errors/domain-error';
import { uniqueViolation } from '../../database/postgres-errors';
import { EmailInUseError, LoginNameInUseError } from './accounts.errors';
import { Account } from './entities/account.entity';
import { RamUser } from './entities/ram-user.entity';

/** Thrown when a freshly drawn UID is taken; the caller draws another. */
export class UidTakenError extends Error {}

/**
 * Writes of accounts and RAM users, through the caller's transaction. Unique violations become
 * the domain's conflicts here, and nowhere else.
 */
@Injectable()
export class AccountsRepository {
  async insertAccount(manager: EntityManager, account: Account): Promise<void> {
    await mapConflicts(() => manager.insert(Account, account));
  }

  /** Updates the named columns (and `updatedAt`) of one account; NotFoundError when there is none. */
  async updateAccount(manager: EntityManager, uid: string, changes: Partial<Omit<Account, 'uid' | 'createdAt'>>): Promise<void> {
    const result = await mapConflicts(() => manager.update(Account, { uid }, changes));
    if (!result.affected) throw new NotFoundError('There is no such account.');
  }

  async insertRamUser(manager: EntityManager, ramUser: RamUser): Promise<void> {
    await mapConflicts(() => manager.insert(RamUser, ramUser));
  }
}

async function mapConflicts<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    switch (uniqueViolation(error)) {
      case 'accounts_logon_email_key':
        throw new EmailInUseError();
      case 'accounts_pkey':
        throw new UidTakenError();
      case 'ram_users_login_key':
        throw new LoginNameInUseError();
      default:
        throw error;
    }
  }
}
