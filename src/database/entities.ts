import { Account } from '../modules/accounts/entities/account.entity';
import { FormerContact } from '../modules/accounts/entities/former-contact.entity';
import { RamUser } from '../modules/accounts/entities/ram-user.entity';
import { RecoveryCode } from '../modules/accounts/entities/recovery-code.entity';
import { SecurityRevert } from '../modules/accounts/entities/security-revert.entity';
import { Session } from '../modules/accounts/entities/session.entity';
import { TrustedDevice } from '../modules/accounts/entities/trusted-device.entity';
import { AuditEvent } from '../modules/audit/entities/audit-event.entity';
import { Agent } from '../modules/backoffice/entities/agent.entity';
import { Notification } from '../modules/notifications/entities/notification.entity';
import { CodeChallenge } from '../modules/verification/challenges/entities/code-challenge.entity';
import { VerificationToken } from '../modules/verification/challenges/entities/verification-token.entity';

/**
 * Every entity, for the Nest app and the standalone data source alike. Modules add theirs here
 * and register them with `TypeOrmModule.forFeature` for injection.
 */
export const ENTITIES: (new () => object)[] = [AuditEvent, Account, FormerContact, RamUser, Session, TrustedDevice, Agent, Notification, CodeChallenge, VerificationToken, RecoveryCode, SecurityRevert];
