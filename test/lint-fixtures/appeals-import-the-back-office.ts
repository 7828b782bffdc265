// Linted as src/modules/appeals/layer-fixture.ts by test/integration/layer-rule.spec.ts: appeals sit
// below the back-office pages, so this import must fail `npm run lint`.
import { AgentAuthGuard } from '../backoffice/agent-auth.guard';

export const imported = AgentAuthGuard;
