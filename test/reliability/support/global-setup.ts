import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import globalSetup from '../../support/global-setup';

/**
 * The run's PostgreSQL template and Redis, as for every jest run, after making sure dist/ is
 * built and current: drills start `node dist/main.js` and `node dist/worker.js` as production does
 * does, and CI runs them before `npm run build`.
 */
export default async function reliabilitySetup(): Promise<void> {
  execFileSync(process.execPath, [join(__dirname, '..', '..', '..', 'scripts', 'ensure-build.js')], { stdio: 'inherit' });
  await globalSetup();
}
