import { CliCommand } from '../../common/command-line/cli-command';
import { AuditService } from './audit.service';

/** `npm run cli -- audit:verify`: exit 0 with `ok N events`, or 1 naming the first broken row. */
export const auditVerifyCommand: CliCommand = {
  name: 'audit:verify',
  usage: 'audit:verify',
  summary: 'Recompute the audit hash chain; name the first broken row and exit 1 if any',
  async run(app, _args, out) {
    const result = await app.get(AuditService, { strict: false }).verify();
    if (result.ok) {
      out.line(`ok ${result.count} events`);
      return 0;
    }
    out.line(`broken at seq ${result.brokenAt.seq}: ${result.brokenAt.reason} (${result.count} events verified before it)`);
    return 1;
  },
};
