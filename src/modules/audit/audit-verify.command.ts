import { CliCommand } from '../../common/command-line/cli-command';
import { AuditVerifier } from './audit-verifier.service';

/**
 * `npm run cli -- audit:verify`: recomputes the Merkle tree from the events, checks every signed
 * checkpoint, and looks for events left unsequenced. Exit 0 with `ok ...`, or 1 naming each problem.
 */
export const auditVerifyCommand: CliCommand = {
  name: 'audit:verify',
  usage: 'audit:verify',
  summary: 'Recompute the audit log tree and check its signed checkpoints; name the first broken event and exit 1 if any',
  async run(app, _args, out) {
    const result = await app.get(AuditVerifier, { strict: false }).verifyAndStore('cli');
    if (result.ok) {
      out.line(`ok ${result.events} events, ${result.checkpoints} checkpoints`);
      return 0;
    }
    if (result.brokenAt)
      out.line(
        `${result.brokenAt.kind} at seq ${result.brokenAt.seq}: ${result.brokenAt.reason} (${result.events} events verified before it)`,
      );
    for (const problem of result.checkpointProblems) out.line(problem);
    if (result.unsequenced.count > 0)
      out.line(
        `${result.unsequenced.count} events unsequenced for over a minute (the oldest is event ${result.unsequenced.oldestEventId})`,
      );
    return 1;
  },
};
