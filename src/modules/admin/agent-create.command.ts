import { creationCommand } from '../../common/command-line/creation-command';
import { AgentsService } from '../agents/agents.service';
import { CreateAgentDto } from './dto/create-agent.dto';

/** `npm run cli -- agent:create`: adds a back-office agent as `POST /api/admin/agents` does and prints its id. */
export const agentCreateCommand = creationCommand({
  name: 'agent:create',
  usage: '--email <email> --name <name> --role agent|supervisor|admin [--password <password>]',
  summary: 'Create a back-office agent and print its id (password from --password or the first line of stdin)',
  flags: {
    email: { value: '<email>', description: 'sign-in email (required)' },
    name: { value: '<name>', description: 'shown to other agents (required)' },
    role: { value: '<role>', description: 'agent, supervisor or admin (required)' },
    password: { value: '<password>', description: '12 to 128 characters; read from stdin when absent' },
  },
  dto: CreateAgentDto,
  input: ({ email, name, role, password }) => ({ email, name, role, password }),
  create: async (app, input) =>
    (await app.get(AgentsService, { strict: false }).create(input, { actor: { type: 'system', id: 'cli' } })).id,
});
