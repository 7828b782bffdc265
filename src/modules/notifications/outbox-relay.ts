import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { JobsOptions } from 'bullmq';
import { PinoLogger } from 'nestjs-pino';
import { Batcher } from '../../common/batcher';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { JobQueue } from '../../infrastructure/queues/job-queue.service';
import { JobName, QueueName } from '../../infrastructure/queues/queue-names';
import { DELIVERY_ATTEMPTS, FIRST_RETRY_DELAY_MS, retryingJobOptions } from '../../infrastructure/queues/retry-policy';
import { NotificationPriority } from './entities/notification.entity';
import { NotificationBeingDeliveredError } from './notifications.errors';

export interface OutboxEntry {
  readonly id: string;
  readonly priority: NotificationPriority;
}

/** Job states in which a job will still run by itself: the sweep leaves those alone. */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
/** Job states BullMQ keeps a job in after its last run, still holding its id. */
const FINISHED_STATES = new Set(['completed', 'failed']);
/** Rows per sweep transaction, and jobs per addBulk. */
export const SWEEP_BATCH = 500;
/** A queued or retrying row untouched this long gets its job checked. */
const QUEUED_STALE_MS = 5 * 60_000;

/** Where a sweep batch stopped: PostgreSQL's text of created_at (microseconds kept) and the id. */
interface SweepKey {
  readonly createdAt: string;
  readonly id: string;
}

interface SweepRow extends OutboxEntry {
  readonly attempts: number;
  readonly created_at: string;
}

export function queueFor(priority: NotificationPriority): QueueName {
  return priority === 'urgent' ? QueueName.NotificationsUrgent : QueueName.NotificationsNormal;
}

/**
 * Moves outbox rows to BullMQ. Right after a commit it enqueues what that transaction wrote
 * (jobId = notification id, so doing it twice is harmless); the periodic sweep catches whatever
 * that missed (Redis down, a crash between commit and enqueue, a job lost with Redis's data).
 */
@Injectable()
export class OutboxRelay implements EntitySubscriberInterface, OnModuleInit {
  private readonly written = new WeakMap<QueryRunner, OutboxEntry[]>();
  /** Entries of transactions that commit while an addBulk is under way leave together in the next one. */
  private readonly committed = new Batcher<OutboxEntry, void>(
    async (entries) => {
      await this.addJobs(entries);
      return entries.map(() => undefined);
    },
    { maxInFlight: 2, maxBatch: SWEEP_BATCH },
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    private readonly logger: PinoLogger,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    logger.setContext(OutboxRelay.name);
  }

  /** Hears every commit and rollback of the data source (registered once the module is built, not by constructing it). */
  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  /** Enqueues `entry` once the transaction of `manager` commits (at once if there is none). */
  afterCommit(manager: EntityManager, entry: OutboxEntry): void {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      void this.enqueue([entry]);
      return;
    }
    const entries = this.written.get(runner) ?? [];
    entries.push(entry);
    this.written.set(runner, entries);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (event.queryRunner.isTransactionActive) return; // a savepoint was released; the transaction goes on
    const entries = this.written.get(event.queryRunner);
    if (!entries) return;
    this.written.delete(event.queryRunner);
    // Not awaited: the caller's answer must not wait for Redis (nor hang while it is down).
    void this.enqueue(entries);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.written.delete(event.queryRunner);
  }

  /**
   * Puts the entries of a transaction that just committed on their queues, with those of other
   * transactions that commit meanwhile. Their rows stay `pending` until delivered: a status write
   * per message (a statement and a commit of its own) bought nothing, as the sweep re-adds
   * whatever is still pending one interval later, and an add under a job id BullMQ still holds
   * is a no-op. Failures are left to the sweep.
   */
  async enqueue(entries: readonly OutboxEntry[]): Promise<void> {
    try {
      await Promise.all(entries.map((entry) => this.committed.call(entry)));
    } catch (error) {
      this.logger.warn({ err: error, count: entries.length }, 'enqueue after commit failed; the outbox sweep will retry');
    }
  }

  /** Puts the entries on their queues and marks their rows queued (a message given a fresh series of attempts). Failures are left to the sweep. */
  async requeue(entries: readonly OutboxEntry[]): Promise<void> {
    try {
      await this.addJobs(entries);
      await this.dataSource.query(
        `UPDATE notifications SET status = 'queued', queued_at = now(), updated_at = now() WHERE id = ANY($1) AND status = 'pending'`,
        [entries.map((entry) => entry.id)],
      );
    } catch (error) {
      this.logger.warn({ err: error, count: entries.length }, 'enqueue after commit failed; the outbox sweep will retry');
    }
  }

  /**
   * Removes the message's BullMQ job, whatever its state, so that a later `add` with the same
   * jobId creates a fresh job (BullMQ ignores an `add` whose jobId it still holds, even among
   * completed or failed jobs). Throws when a worker holds the job right now.
   */
  async removeJob(entry: OutboxEntry): Promise<void> {
    const removed = await this.jobs.queue(queueFor(entry.priority)).remove(entry.id);
    if (!removed) throw new NotificationBeingDeliveredError();
  }

  /**
   * Re-enqueues rows left pending past one sweep interval, and rows queued or retrying whose job
   * is gone or finished, however many there are (a long Redis outage leaves a backlog), in
   * batches of SWEEP_BATCH. Rows are claimed with SKIP LOCKED, so concurrent sweeps split the
   * work. Returns how many jobs it (re)created. `staleAfterMs` 0 checks the job of every queued
   * row (after Redis lost its data: no job can be trusted to exist).
   */
  async sweep(options: { staleAfterMs?: number } = {}): Promise<number> {
    let requeued = 0;
    let claimed: number;
    do {
      claimed = await this.enqueuePending();
      requeued += claimed;
    } while (claimed === SWEEP_BATCH);
    let after: SweepKey | undefined;
    do {
      const batch = await this.sweepStale(after, options.staleAfterMs ?? QUEUED_STALE_MS);
      requeued += batch.requeued;
      after = batch.last;
    } while (after);
    if (requeued) this.logger.info({ requeued }, 'outbox sweep re-enqueued messages');
    return requeued;
  }

  /**
   * One batch of rows whose enqueue after commit never happened (Redis was down, or the process
   * died). Jobs are added only after a row commits and a retry removes the old one first, so
   * no finished job holds their ids: they are claimed, marked queued and added in bulk, without
   * asking Redis about each (a live job under the same id makes its add a no-op). Should the add
   * fail, the transaction rolls back and the rows stay pending.
   */
  private async enqueuePending(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [claimed]: [OutboxEntry[], number] = await manager.query(
        `UPDATE notifications AS n SET status = 'queued', queued_at = now(), updated_at = now()
           FROM (SELECT id FROM notifications
                  WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1)
                  ORDER BY created_at, id
                  LIMIT ${SWEEP_BATCH}
                  FOR UPDATE SKIP LOCKED) AS due
          WHERE n.id = due.id
          RETURNING n.id, n.priority`,
        [this.config.outbox.sweepIntervalMs / 1000],
      );
      if (claimed.length) await this.addJobs(claimed);
      return claimed.length;
    });
  }

  /**
   * One batch of rows queued or retrying whose job has been quiet for `staleAfterMs`, after
   * `after` in (created_at, id) order so that rows left alone are not claimed again. Live jobs
   * are left to run; finished ones (which would turn a new add into a no-op) are removed and
   * replaced; rows out of attempts end dead.
   */
  private async sweepStale(after: SweepKey | undefined, staleAfterMs: number): Promise<{ requeued: number; last?: SweepKey }> {
    return this.dataSource.transaction(async (manager) => {
      const rows: SweepRow[] = await manager.query(
        `SELECT id, priority, attempts, created_at::text AS created_at FROM notifications
          WHERE status IN ('queued', 'failed') AND updated_at < now() - make_interval(secs => $1)
            ${after ? 'AND (created_at, id) > ($2::timestamptz, $3::uuid)' : ''}
          ORDER BY created_at, id
          LIMIT ${SWEEP_BATCH}
          FOR UPDATE SKIP LOCKED`,
        [staleAfterMs / 1000, ...(after ? [after.createdAt, after.id] : [])],
      );
      if (!rows.length) return { requeued: 0 };
      // Concurrent commands on one connection travel pipelined: one round trip for the whole batch.
      const states = await Promise.all(rows.map((row) => this.jobs.queue(queueFor(row.priority)).getJobState(row.id)));
      const stale = rows.filter((_, index) => !LIVE_STATES.has(states[index]));
      await Promise.all(rows.filter((_, index) => FINISHED_STATES.has(states[index])).map((row) => this.removeJob(row)));
      const exhausted = stale.filter((row) => row.attempts >= DELIVERY_ATTEMPTS).map((row) => row.id);
      const revived = stale.filter((row) => row.attempts < DELIVERY_ATTEMPTS);
      if (exhausted.length)
        await manager.query(`UPDATE notifications SET status = 'dead', updated_at = now() WHERE id = ANY($1) AND status <> 'sent'`, [
          exhausted,
        ]);
      if (revived.length) {
        await manager.query(
          `UPDATE notifications SET status = 'queued', queued_at = now(), updated_at = now() WHERE id = ANY($1) AND status <> 'sent'`,
          [revived.map((row) => row.id)],
        );
        await this.addJobs(revived);
      }
      const last = rows[rows.length - 1];
      return { requeued: revived.length, last: rows.length === SWEEP_BATCH ? { createdAt: last.created_at, id: last.id } : undefined };
    });
  }

  /** One addBulk per queue for the entries bound to it. */
  private async addJobs(entries: readonly OutboxEntry[]): Promise<void> {
    await Promise.all(
      [QueueName.NotificationsUrgent, QueueName.NotificationsNormal].map(async (queueName) => {
        const batch = entries.filter((entry) => queueFor(entry.priority) === queueName);
        if (!batch.length) return;
        await this.jobs.addBulk(
          queueName,
          batch.map((entry) => ({
            name: JobName.DeliverNotification,
            data: { notificationId: entry.id },
            opts: deliveryOptions(entry.id, this.config.outbox.retryDelayMs),
          })),
        );
      }),
    );
  }
}

/** A delivery job's options: the shared retry policy, first retry after `firstRetryDelayMs` (DELIVERY_RETRY_DELAY), jobId = notification id. */
export function deliveryOptions(notificationId: string, firstRetryDelayMs = FIRST_RETRY_DELAY_MS): JobsOptions {
  return { ...retryingJobOptions(firstRetryDelayMs), jobId: notificationId };
}
