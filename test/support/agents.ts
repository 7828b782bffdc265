import supertest from 'supertest';
import { AgentsService } from '../../src/modules/agents/agents.service';
import { AgentRole } from '../../src/modules/agents/entities/agent.entity';
import { uniqueEmail } from './factories';
import { csrfOf } from './html';
import { TestApp } from './test-app';

export const AGENT_PASSWORD = 'violet lantern across quiet rivers';

export interface TestAgent {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: AgentRole;
  readonly password: string;
}

/** Provisions an agent through AgentsService, as the admin API and the CLI do. */
export async function createAgent(
  t: TestApp,
  options: { role?: AgentRole; name?: string; email?: string; password?: string } = {},
): Promise<TestAgent> {
  const role = options.role ?? 'agent';
  const input = {
    email: options.email ?? uniqueEmail(role),
    name: options.name ?? `Test ${role}`,
    role,
    password: options.password ?? AGENT_PASSWORD,
  };
  const agent = await t.get(AgentsService).create(input, { actor: { type: 'system', id: 'test' } });
  return { id: agent.id, email: agent.email, name: agent.name, role, password: input.password };
}

/** A cookie-keeping client: the page at `path`, and the CSRF token its forms carry. */
export async function pageToken(client: supertest.Agent, path: string): Promise<string> {
  const response = await client.get(path).set('Accept', 'text/html').expect(200);
  return csrfOf(response.text);
}

/** A browser-like client (cookie jar) signed in to the back-office as `agent`. */
export async function signInAgent(t: TestApp, agent: TestAgent, totp?: string): Promise<supertest.Agent> {
  const client = supertest.agent(t.app.getHttpServer());
  const csrf = await pageToken(client, '/agent/login');
  await client
    .post('/agent/login')
    .type('form')
    .send({ _csrf: csrf, email: agent.email, password: agent.password, ...(totp ? { totp } : {}) })
    .expect(303)
    .expect('Location', '/agent');
  return client;
}

/** A client signed in to the back-office as `agent` on app `t`, and the CSRF token of its session. */
export async function backOfficeSession(t: TestApp, agent: TestAgent): Promise<{ client: supertest.Agent; csrf: string }> {
  const client = await signInAgent(t, agent);
  return { client, csrf: await pageToken(client, '/agent/appeals') };
}
