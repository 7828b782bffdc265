import { AgentRole } from './entities/agent.entity';

/** The agent behind a back-office request, as AgentAuthGuard found them. */
export interface SignedInAgent {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: AgentRole;
  readonly totpEnabled: boolean;
  readonly sessionId: string;
}
