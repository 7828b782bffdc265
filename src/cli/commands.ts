import { outboxRetryCommand } from '../modules/notifications/outbox-retry.command';
import { CliCommand } from './cli-command';

/** Every CLI command; modules add theirs here. */
export const COMMANDS: readonly CliCommand[] = [outboxRetryCommand];
