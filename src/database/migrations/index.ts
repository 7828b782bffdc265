import { MigrationInterface } from 'typeorm';
import { Notifications1763800000000 } from './1763800000000-Notifications';

/** Every migration, in order. `npm run migration:generate` writes new ones into this folder; list them here. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [Notifications1763800000000];
