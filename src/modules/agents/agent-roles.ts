import { AGENT_ROLES, AgentRole } from './entities/agent.entity';

/** agent < supervisor < admin: each role may do everything the ones before it may. */
export function roleAllows(role: AgentRole, needed: AgentRole): boolean {
  return AGENT_ROLES.indexOf(role) >= AGENT_ROLES.indexOf(needed);
}

export const ROLE_LABELS: Record<AgentRole, string> = { agent: 'Agent', supervisor: 'Supervisor', admin: 'Admin' };
