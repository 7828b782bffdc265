import { CliCommand } from '../../cli/cli-command';
import { firstLineOfStdin, flagsHelp, parseFlags, validInput } from '../../cli/cli-input';
import { AgentsService } from '../backoffice/agents.service';
import { CreateAgentDto } from './dto/create-agent.dto';

const USAGE = 'agent:create --email <email> --name <name> --role agent|supervisor|admin [--password <password>]';
const SUMMARY = 'Create a back-office agent and print its id (password from --password or the first line of stdin)';
const FLAGS = {
  email: { value: '<email>', description: 'sign-in email (required)' },
  name: { value: '<name>', description: 'shown to other agents (required)' },
  role: { value: '<role>', description: 'agent, supervisor or admin (required)' },
  password: { value: '<password>', description: '12 to 128 characters; read from stdin when absent' },
};
const HELP = flagsHelp(USAGE, SUMMARY, FLAGS);

/** `npm run cli -- agent:create`: adds a back-office agent as `POST /api/admin/agents` does and prints its id. */
export const agentCreateCommand: CliCommand = {
  name: 'agent:create',
  usage: USAGE,
  summary: SUMMARY,
  help: HELP,
  async run(app, args, out) {
    const flags = parseFlags(args, FLAGS, HELP, out);
    if ('exitCode' in flags) return flags.exitCode;
    const { email, name, role, password } = flags.values;
    const input = await validInput(CreateAgentDto, { email, name, role, password: password ?? (await firstLineOfStdin()) }, out);
    if (!input) return 2;
    const agent = await app.get(AgentsService, { strict: false }).create(input, { actor: { type: 'system', id: 'cli' } });
    out.line(agent.id);
    return 0;
  },
};
