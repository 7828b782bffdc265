import { DomainError } from '../../common/errors/domain-error';

export class AgentEmailInUseError extends DomainError {
  constructor() {
    super('EMAIL_IN_USE', 'Another agent has this email address.');
  }
}
