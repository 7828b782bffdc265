import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource, EntityManager, EntitySubscriberInterface, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { InjectRedis, RedisKeys } from '../../infrastructure/redis/redis.module';
import { AgentsService } from '../agents/agents.service';
import type { AppealStatus } from './appeal-workflow';

/** Who changed an appeal, as the event stream names them: an agent (by name) or a party. */
export type ChangedBy =
  | { readonly agentId: string }
  | { readonly label: 'the person' | 'the account owner' | 'a former contact' | 'the system' };

export type LiveEventName = 'appeal.changed' | 'presence';

/** One event of the back-office's live stream, as every process receives it. */
export interface LiveEvent {
  /** Increasing across every process (one Redis counter): what `Last-Event-ID` resumes from. */
  readonly id: number;
  readonly event: LiveEventName;
  readonly data: Record<string, unknown>;
  /** The agent holding the appeal's lease when it changed: their stream marks the event as theirs. Never sent as is. */
  readonly holder?: string | null;
}

interface PendingChange {
  readonly reference: string;
  readonly status: AppealStatus;
  readonly version: number;
  readonly by: ChangedBy;
  readonly holder: string | null;
}

/** How many past events a reconnecting stream can catch up on. */
const KEPT_EVENTS = 1_000;
const PENDING = 'appealChanges';

/**
 * The back-office's live events across processes: an appeal's change is published once its
 * transaction has committed (never a change that was rolled back), to a Redis channel every API
 * process listens to, and kept in a short Redis log so that a stream that reconnects with
 * `Last-Event-ID` gets what it missed, whichever process it reaches. Only what the queue shows
 * travels (reference, status, version, who): never a note's or a message's text.
 */
@Injectable()
export class AppealEventsService implements OnModuleInit, OnApplicationShutdown {
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  private subscriber?: Redis;
  private subscribed?: Promise<void>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly agents: AgentsService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const subscriber: EntitySubscriberInterface = {
      afterTransactionCommit: (event: TransactionCommitEvent) => {
        const changes = (event.queryRunner.data as Record<string, PendingChange[] | undefined>)[PENDING];
        if (!changes?.length) return;
        (event.queryRunner.data as Record<string, unknown>)[PENDING] = [];
        // After the commit, outside the caller's path: a Redis hiccup must not fail a committed change.
        void Promise.all(changes.map((change) => this.publishChange(change))).catch(() => undefined);
      },
      afterTransactionRollback: (event: TransactionRollbackEvent) => {
        (event.queryRunner.data as Record<string, unknown>)[PENDING] = [];
      },
    };
    this.dataSource.subscribers.push(subscriber);
  }

  async onApplicationShutdown(): Promise<void> {
    this.listeners.clear();
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** Records that the appeal changed; published when `manager`'s transaction commits (at once outside one). */
  changed(manager: EntityManager, change: PendingChange): void {
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) {
      const data = runner.data as Record<string, PendingChange[] | undefined>;
      (data[PENDING] ??= []).push(change);
      return;
    }
    void this.publishChange(change).catch(() => undefined);
  }

  /** Publishes an event to every process's streams (and to the log that resumed streams read). */
  async publish(event: LiveEventName, data: Record<string, unknown>, holder?: string | null): Promise<LiveEvent> {
    const id = await this.redis.incr(this.keys.key('events', 'seq'));
    const live: LiveEvent = { id, event, data, ...(holder ? { holder } : {}) };
    const payload = JSON.stringify(live);
    const log = this.keys.key('events', 'log');
    await this.redis
      .multi()
      .zadd(log, id, payload)
      .zremrangebyrank(log, 0, -(KEPT_EVENTS + 1))
      .publish(this.channel(), payload)
      .exec();
    return live;
  }

  /**
   * The id of the last event published so far (0 before the first). A page reads it before it reads
   * the state it shows, so its stream can start from there (`?since=`) and miss nothing in between.
   */
  async latestId(): Promise<number> {
    return Number((await this.redis.get(this.keys.key('events', 'seq'))) ?? 0);
  }

  /** The kept events after `lastId`, oldest first. */
  async since(lastId: number): Promise<LiveEvent[]> {
    const payloads = await this.redis.zrangebyscore(this.keys.key('events', 'log'), `(${lastId}`, '+inf');
    return payloads.map((payload) => JSON.parse(payload) as LiveEvent);
  }

  /** Calls `listener` with every event any process publishes from now on; returns the unsubscription. */
  async listen(listener: (event: LiveEvent) => void): Promise<() => void> {
    await this.ensureSubscribed();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async publishChange(change: PendingChange): Promise<void> {
    const by =
      'agentId' in change.by ? ((await this.agents.namesOf([change.by.agentId])).get(change.by.agentId) ?? 'an agent') : change.by.label;
    await this.publish(
      'appeal.changed',
      { reference: change.reference, status: change.status, version: change.version, by },
      change.holder,
    );
  }

  private ensureSubscribed(): Promise<void> {
    this.subscribed ??= this.subscribe();
    return this.subscribed;
  }

  private async subscribe(): Promise<void> {
    // A connection of its own: a subscribed Redis connection can do nothing else. Commands wait for
    // it to connect (unlike the shared client's), and ioredis subscribes again after a reconnect.
    const subscriber = new Redis(this.config.redis.url!, {
      connectionName: `account-center-${this.config.role}-events`,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    subscriber.on('error', () => undefined);
    subscriber.on('message', (_channel: string, payload: string) => {
      const event = JSON.parse(payload) as LiveEvent;
      for (const listener of this.listeners) listener(event);
    });
    this.subscriber = subscriber;
    await subscriber.subscribe(this.channel());
  }

  private channel(): string {
    return this.keys.key('events', 'live');
  }
}
