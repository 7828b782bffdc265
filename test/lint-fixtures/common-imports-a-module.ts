// Linted as src/common/http/layer-fixture.ts by test/integration/layer-rule.spec.ts: common/ sits
// below every module, so this import must fail `npm run lint`.
import { AccountsService } from '../../modules/accounts/accounts.service';

export const imported = AccountsService;
