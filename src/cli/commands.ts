import { auditVerifyCommand } from '../modules/audit/audit-verify.command';
import { CliCommand } from './cli-command';

/** Every CLI command; modules add theirs here. */
export const COMMANDS: readonly CliCommand[] = [auditVerifyCommand];
