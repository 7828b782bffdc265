import { Account } from '../modules/accounts/entities/account.entity';
import { RamUser } from '../modules/accounts/entities/ram-user.entity';
import { Session } from '../modules/accounts/entities/session.entity';
import { TrustedDevice } from '../modules/accounts/entities/trusted-device.entity';
import { AuditEvent } from '../modules/audit/entities/audit-event.entity';
import { Agent } from '../modules/backoffice/entities/agent.entity';
import { AgentSession } from '../modules/backoffice/entities/agent-session.entity';
import { Notification } from '../modules/notifications/entities/notification.entity';

/**
 * Every entity, for the Nest app and the standalone data source alike. Modules add theirs here
 * and register them with `TypeOrmModule.forFeature` for injection.
 */
export const ENTITIES: (new () => object)[] = [AuditEvent, Account, RamUser, Session, TrustedDevice, Agent, AgentSession, Notification];
