import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { typeOrmOptions } from './typeorm-options';

/**
 * The standalone data source for the TypeORM CLI (`npm run migration:generate -- <path>`,
 * `npm run migration:run`). It needs DATABASE_URL: `npm start` prints the embedded one.
 */
const url = loadConfig().database.url;
if (!url) {
  throw new Error('Set DATABASE_URL for migration commands (npm start prints the address of the embedded PostgreSQL).');
}

export default new DataSource(typeOrmOptions(url, { size: 2, applicationName: 'account-center-migrations' }));
