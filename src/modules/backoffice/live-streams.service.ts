import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Request, Response } from 'express';
import { HTTP_DRAINING } from '../../infrastructure/http-drain';
import { AgentPresenceService } from '../agents/agent-presence.service';
import { AgentsService } from '../agents/agents.service';
import { SignedInAgent } from '../agents/signed-in-agent';
import { AppealEventsService, LiveEvent } from '../appeals/appeal-events.service';
import { REFERENCE } from '../appeals/appeals.repository';

/** A comment line this often keeps proxies from closing a quiet stream and renews the agent's presence. */
export const HEARTBEAT_MS = 15_000;
/** What a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 3_000;

/**
 * The back-office's Server-Sent Events (`GET /agent/events`): every appeal change and presence
 * change from any process, resumable with `Last-Event-ID`, with heartbeats. A stream opened for
 * an appeal's page (`?appeal=AP-...`) makes its agent present on that appeal while it stays open.
 * An event is marked `mine` on the stream of the agent who holds the appeal: their pages tell them
 * when the person answers. Streams end at once when the process stops.
 */
@Injectable()
export class LiveStreamsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly open = new Set<() => void>();
  private closing = false;

  constructor(
    private readonly events: AppealEventsService,
    private readonly presence: AgentPresenceService,
    private readonly agents: AgentsService,
    private readonly adapter: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapter.httpAdapter?.getHttpServer() as NodeJS.EventEmitter | undefined;
    server?.on(HTTP_DRAINING, () => this.endAll());
    // SIGTERM ends the streams before the drain would wait for them (the drain then finds them closed).
    process.once('SIGTERM', this.onSignal);
  }

  beforeApplicationShutdown(): void {
    process.off('SIGTERM', this.onSignal);
    this.endAll();
  }

  private readonly onSignal = () => this.endAll();

  /**
   * `since` is the last event id a page had seen when it read what it shows: a first connection
   * starts there; a reconnection's `Last-Event-ID` (the last event the stream delivered) wins.
   */
  async stream(agent: SignedInAgent, from: { appeal?: string; since?: string }, request: Request, response: Response): Promise<void> {
    const reference = from.appeal && REFERENCE.test(from.appeal) ? from.appeal : undefined;
    const eventId = (value: string | undefined) => (value && /^\d{1,15}$/.test(value) ? Number(value) : undefined);
    const lastId = eventId(request.get('Last-Event-ID')) ?? eventId(from.since);

    response.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    response.flushHeaders();
    response.write(`retry: ${RETRY_MS}\n\n`);

    let sent = lastId ?? 0;
    let replaying = true;
    const held: LiveEvent[] = [];
    const send = (event: LiveEvent) => {
      if (event.id <= sent) return;
      sent = event.id;
      const data = event.holder === agent.id ? { ...event.data, mine: true } : event.data;
      response.write(`id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    let ended = false;
    let unlisten = () => {};
    const heartbeat = setInterval(() => {
      response.write(': heartbeat\n\n');
      void this.present(agent, reference).catch(() => undefined);
    }, HEARTBEAT_MS);
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      unlisten();
      this.open.delete(end);
      if (!response.writableEnded) response.end();
      if (reference) void this.leave(agent, reference).catch(() => undefined);
    };
    this.open.add(end);
    request.on('close', end);
    if (this.closing) return end();

    try {
      // Listening starts before the catch-up is read, so nothing published in between is lost.
      const stop = await this.events.listen((event) => (replaying ? held.push(event) : send(event)));
      if (ended) {
        stop();
        return;
      }
      unlisten = stop;
      // A stream without a starting point starts from now; one with a page's `since` or a `Last-Event-ID` catches up first.
      if (lastId !== undefined) for (const event of await this.events.since(lastId)) send(event);
      held.sort((a, b) => a.id - b.id).forEach(send);
      replaying = false;
      await this.present(agent, reference, true);
    } catch {
      end();
    }
  }

  private async present(agent: SignedInAgent, reference: string | undefined, announce = false): Promise<void> {
    await this.presence.touch(agent.id);
    if (!reference) return;
    await this.presence.view(reference, agent.id);
    if (announce) await this.announce(reference);
  }

  private async leave(agent: SignedInAgent, reference: string): Promise<void> {
    await this.presence.leave(reference, agent.id);
    await this.announce(reference);
  }

  /** Tells every stream who has the appeal open now. */
  private async announce(reference: string): Promise<void> {
    const ids = await this.presence.viewers(reference);
    const names = await this.agents.namesOf(ids);
    const agents = ids.map((id) => names.get(id)).filter((name): name is string => Boolean(name));
    await this.events.publish('presence', { reference, agents: agents.sort() });
  }

  private endAll(): void {
    this.closing = true;
    for (const end of [...this.open]) end();
  }
}
