import { INestApplicationContext } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { AccountsService } from '../modules/accounts/accounts.service';
import { AgentsService } from '../modules/agents/agents.service';
import { Agent, AgentRole } from '../modules/agents/entities/agent.entity';
import { ChangeContext } from '../modules/audit/audit.service';
import { seedDemoAppeals } from './demo-appeals';
import { DEMO_AWAITING_REPLY_CONTACT } from './demo-appeals.data';
import { seedDemoOwnerActivity } from './demo-owner-activity';

/** Demo credentials: printed at every `npm run demo`, so they are no secret of anyone's. */
export const DEMO_AGENTS: readonly { email: string; name: string; role: AgentRole; password: string }[] = [
  { email: 'agent@example.com', name: 'Ana Agent', role: 'agent', password: 'demo agent amber harbour' },
  { email: 'supervisor@example.com', name: 'Sam Supervisor', role: 'supervisor', password: 'demo supervisor cedar lantern' },
  { email: 'admin@example.com', name: 'Ada Admin', role: 'admin', password: 'demo admin violet compass' },
];
export const DEMO_OWNER = {
  logonEmail: 'demo.owner@example.com',
  password: 'demo owner quiet meadow river',
  securePhone: '+8613812345678',
  displayName: 'Demo Owner',
};
const DEMO_RAM_USER = { loginName: 'deploy-bot', password: 'demo ram user copper kettle' };

const SEED: ChangeContext = { actor: { type: 'system', id: 'demo' } };
const TEAM_AGE_MS = 400 * 86_400_000;

/**
 * Seeds the demo data of `npm run demo`, once and idempotently (whatever exists is kept), and
 * prints where to sign in and with what. It runs before the HTTP server and the workers start
 * (see `startService`'s `prepare`): it moves the shared Clock into the past to write data as of
 * then, which nothing else may see.
 */
export async function seedDemo(app: INestApplicationContext, config: AppConfig, print: (line: string) => void): Promise<void> {
  const agents = app.get(AgentsService, { strict: false });
  const accounts = app.get(AccountsService, { strict: false });

  const team: Agent[] = [];
  // The team has been at work for a year, as the account has existed: four eyes refuse a role younger than the approval it would confirm.
  for (const demo of DEMO_AGENTS)
    team.push(
      (await agents.findByEmail(demo.email)) ??
        (await app.get(Clock, { strict: false }).asOf(TEAM_AGE_MS, () => agents.create(demo, SEED))),
    );
  const owner = (await accounts.findByLogonEmail(DEMO_OWNER.logonEmail)) ?? (await accounts.create(DEMO_OWNER, SEED));
  if (!(await accounts.findRamUser(owner.uid, DEMO_RAM_USER.loginName))) await accounts.createRamUser(owner.uid, DEMO_RAM_USER, SEED);
  await seedDemoOwnerActivity(app, owner.uid);
  const [agent, supervisor] = team;
  const appeals = await seedDemoAppeals(app, {
    agent: { id: agent.id, role: agent.role },
    supervisor: { id: supervisor.id, role: supervisor.role },
  });

  const base = config.http.publicBaseUrl;
  const width = Math.max(...DEMO_AGENTS.map((agent) => agent.email.length));
  print('Demo data (created once; kept with the database):');
  print(`  Back-office ${base}/agent/login (email / password)`);
  for (const agent of DEMO_AGENTS) print(`    ${agent.role.padEnd(11)}${agent.email.padEnd(width + 2)}${agent.password}`);
  print(
    `  Account Center ${base}/login (login / password; a new browser is asked for a code: without SMTP_URL, read it at ${base}/dev/outbox)`,
  );
  print(`    root       ${DEMO_OWNER.logonEmail} / ${DEMO_OWNER.password} (UID ${owner.uid}, secure phone ${DEMO_OWNER.securePhone})`);
  print(`    RAM user   ${DEMO_RAM_USER.loginName}@${owner.uid} / ${DEMO_RAM_USER.password}`);
  print(`  Appeals ${base}/agent/appeals (${appeals.count} in different states; sign in as an agent)`);
  print(
    `  Appeal status ${base}/appeal/status (reference ${appeals.awaitingReply}, waiting for its person's reply; its access token was shown once,`,
  );
  print(`    so use "Lost your access token?" with ${DEMO_AWAITING_REPLY_CONTACT} and read the new one at ${base}/dev/outbox)`);
}
