import { accountCreateCommand } from '../modules/admin/account-create.command';
import { agentCreateCommand } from '../modules/admin/agent-create.command';
import { auditVerifyCommand } from '../modules/audit/audit-verify.command';
import { outboxRetryCommand } from '../modules/notifications/outbox-retry.command';
import { CliCommand } from '../common/command-line/cli-command';

/** Every CLI command; modules add theirs here. */
export const COMMANDS: readonly CliCommand[] = [accountCreateCommand, agentCreateCommand, auditVerifyCommand, outboxRetryCommand];
