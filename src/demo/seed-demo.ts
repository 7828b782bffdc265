import { INestApplicationContext } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/**
 * Seeds the demo data of `npm run demo`, once and idempotently. Each capability adds its part
 * (accounts, agents, appeals) as it lands; until then the demo is the empty system.
 */
export async function seedDemo(_app: INestApplicationContext, _config: AppConfig, print: (line: string) => void): Promise<void> {
  print('Demo data: none yet (accounts, agents and appeals arrive with their modules).');
}
