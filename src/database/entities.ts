import { Account } from '../modules/accounts/entities/account.entity';
import { FormerContact } from '../modules/accounts/entities/former-contact.entity';
import { Passkey } from '../modules/accounts/entities/passkey.entity';
import { RamUser } from '../modules/accounts/entities/ram-user.entity';
import { RecoveryCode } from '../modules/accounts/entities/recovery-code.entity';
import { SecurityRevert } from '../modules/accounts/entities/security-revert.entity';
import { Session } from '../modules/accounts/entities/session.entity';
import { TrustedDevice } from '../modules/accounts/entities/trusted-device.entity';
import { AppealAttachmentContent } from '../modules/appeals/entities/appeal-attachment-content.entity';
import { AppealAttachment } from '../modules/appeals/entities/appeal-attachment.entity';
import { AppealAttachmentHashBand } from '../modules/appeals/entities/appeal-attachment-hash-band.entity';
import { AppealAttachmentPreview } from '../modules/appeals/entities/appeal-attachment-preview.entity';
import { AppealMessage } from '../modules/appeals/entities/appeal-message.entity';
import { CannedReply } from '../modules/appeals/entities/canned-reply.entity';
import { AppealObjection } from '../modules/appeals/entities/appeal-objection.entity';
import { Appeal } from '../modules/appeals/entities/appeal.entity';
import { PasswordReset } from '../modules/appeals/entities/password-reset.entity';
import { AuditEvent } from '../modules/audit/entities/audit-event.entity';
import { AgentPasskey } from '../modules/agents/entities/agent-passkey.entity';
import { AgentSession } from '../modules/agents/entities/agent-session.entity';
import { Agent } from '../modules/agents/entities/agent.entity';
import { Notification } from '../modules/notifications/entities/notification.entity';
import { CodeChallenge } from '../modules/challenges/entities/code-challenge.entity';
import { VerificationToken } from '../modules/challenges/entities/verification-token.entity';

/**
 * Every entity, for the Nest app and the standalone data source alike. Modules add theirs here
 * (one per line, sorted by module, so parallel additions merge cleanly) and register them with
 * `TypeOrmModule.forFeature` for injection.
 */
export const ENTITIES: (new () => object)[] = [
  Account,
  FormerContact,
  Passkey,
  RamUser,
  RecoveryCode,
  SecurityRevert,
  Session,
  TrustedDevice,
  AppealAttachmentContent,
  AppealAttachment,
  AppealAttachmentHashBand,
  AppealAttachmentPreview,
  AppealMessage,
  CannedReply,
  AppealObjection,
  Appeal,
  PasswordReset,
  AuditEvent,
  AgentPasskey,
  AgentSession,
  Agent,
  Notification,
  CodeChallenge,
  VerificationToken,
];
