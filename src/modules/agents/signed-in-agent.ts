import { AgentRole } from './entities/agent.entity';

/** The agent behind a back-office request, as AgentAuthGuard found them. */
export interface SignedInAgent {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: AgentRole;
  readonly totpEnabled: boolean;
  /** An admin reset the password to a temporary one: only the Me page (to choose a new one) and sign-out are open. */
  readonly passwordChangeRequired: boolean;
  readonly sessionId: string;
}
