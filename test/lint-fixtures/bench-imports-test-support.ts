// Linted as a file of bench/lib by test/integration/layer-rule.spec.ts: the benchmarks share tools/ with the tests, never test/support.
import { waitFor } from '../../test/support/wait-for';

export const imported = waitFor;
