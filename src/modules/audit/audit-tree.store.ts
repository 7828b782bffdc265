import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Hash } from './merkle';

/** A signed checkpoint of the log, as published. */
export interface AuditCheckpoint {
  readonly size: number;
  readonly rootHash: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly kid: string;
}

interface CheckpointRow {
  size: string;
  root_hash: string;
  timestamp: string;
  signature: string;
  kid: string;
}

export function checkpointOf(row: CheckpointRow): AuditCheckpoint {
  return { size: Number(row.size), rootHash: row.root_hash, timestamp: row.timestamp, signature: row.signature, kid: row.kid };
}

/** Reads the stored tree: perfect-subtree hashes (`audit_nodes`) and checkpoints. */
@Injectable()
export class AuditTreeStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The stored hashes of these perfect subtrees, keyed `level:index` (one round trip). */
  async nodes(
    keys: readonly { level: number; index: number }[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, Hash>> {
    const found = new Map<string, Hash>();
    if (keys.length === 0) return found;
    const rows = (await manager.query(
      `SELECT n.level, n.node_index, n.hash FROM audit_nodes n
         JOIN unnest($1::smallint[], $2::bigint[]) AS k(level, node_index) ON n.level = k.level AND n.node_index = k.node_index`,
      [keys.map((key) => key.level), keys.map((key) => key.index)],
    )) as { level: number; node_index: string; hash: Buffer }[];
    for (const row of rows) found.set(`${row.level}:${row.node_index}`, row.hash);
    return found;
  }

  async latestCheckpoint(): Promise<AuditCheckpoint | undefined> {
    const [row] = (await this.dataSource.query('SELECT * FROM audit_checkpoints ORDER BY size DESC LIMIT 1')) as CheckpointRow[];
    return row ? checkpointOf(row) : undefined;
  }

  async checkpoint(size: number): Promise<AuditCheckpoint | undefined> {
    const [row] = (await this.dataSource.query('SELECT * FROM audit_checkpoints WHERE size = $1', [size])) as CheckpointRow[];
    return row ? checkpointOf(row) : undefined;
  }

  /** The smallest checkpoint that includes leaf `seq`. */
  async checkpointIncluding(seq: number): Promise<AuditCheckpoint | undefined> {
    const [row] = (await this.dataSource.query('SELECT * FROM audit_checkpoints WHERE size > $1 ORDER BY size LIMIT 1', [
      seq,
    ])) as CheckpointRow[];
    return row ? checkpointOf(row) : undefined;
  }
}
