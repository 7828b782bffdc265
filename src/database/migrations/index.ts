import { MigrationInterface } from 'typeorm';

/** Every migration, in order. `npm run migration:generate` writes new ones into this folder; list them here. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [];
