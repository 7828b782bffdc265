import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { AgentPresenceService } from '../agents/agent-presence.service';
import { AgentsService } from '../agents/agents.service';
import { AppealReviewService } from './appeal-review.service';
import { OPEN_STATUSES } from './appeal-workflow';

/** An agent counts as present when seen this recently (any back-office request or an open event stream). */
export const PRESENT_WITHIN_MS = 15 * 60_000;
/** At most this many waiting appeals a run. */
const BATCH = 50;

interface Candidate {
  id: string;
  capacity: number;
  open: number;
}

/**
 * Auto-assignment (APPEAL_AUTO_ASSIGN): each unclaimed `submitted` appeal, oldest first, is
 * claimed for the active agent present in the last 15 minutes who speaks its language and holds
 * the fewest open appeals below their capacity; ties go round-robin (the one assigned longest
 * ago first). The assignment is the ordinary lease, audited as the system's action. The
 * candidates' rows are locked while their open appeals are counted and one is given the appeal,
 * so that two processes assigning at once never fill an agent beyond their capacity.
 */
@Injectable()
export class AppealAutoAssigner {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly review: AppealReviewService,
    private readonly presence: AgentPresenceService,
    private readonly agents: AgentsService,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Assigns what it can of the waiting appeals; returns how many it assigned. */
  async assignWaiting(): Promise<number> {
    if (!this.config.appeals.autoAssign) return 0;
    const waiting: { reference: string }[] = await this.dataSource.query(
      `SELECT reference FROM appeals
        WHERE status = 'submitted' AND (lease_agent_id IS NULL OR lease_expires_at <= $1)
        ORDER BY created_at, id LIMIT ${BATCH}`,
      [this.clock.now()],
    );
    let assigned = 0;
    for (const { reference } of waiting) {
      const agentId = await this.assign(reference);
      if (agentId) assigned += 1;
      else if (agentId === null) break; // nobody present has room: the rest wait for the next run
    }
    return assigned;
  }

  /**
   * Gives one appeal to the best agent; the agent's id, null when no agent present has room for
   * its language, undefined when the appeal is no longer waiting (claimed or changed meanwhile).
   */
  async assign(reference: string): Promise<string | null | undefined> {
    const now = this.clock.now();
    const present = [...(await this.presence.seenSince(new Date(now.getTime() - PRESENT_WITHIN_MS)))];
    if (!present.length) return null;
    return this.dataSource.transaction(async (manager) => {
      const [appeal]: { version: number; locale: string; status: string; lease_live: boolean }[] = await manager.query(
        `SELECT version, locale, status, (lease_expires_at > $2) AS lease_live FROM appeals WHERE reference = $1`,
        [reference, now],
      );
      if (!appeal || appeal.status !== 'submitted' || appeal.lease_live) return undefined;
      // The candidates' rows, locked in one order by every assigner; their load is counted after
      // the lock is held, by a statement of its own: counted in the locking statement, it would be
      // read from the snapshot taken before waiting for the lock, missing the other's assignment.
      const locked = await this.agents.lockAssignable(manager, present, appeal.locale);
      if (!locked.length) return null;
      const load: { agent: string; open: number }[] = await manager.query(
        `SELECT lease_agent_id AS agent, count(*)::int AS open FROM appeals
          WHERE lease_agent_id = ANY($1) AND lease_expires_at > $2
            AND status IN (${OPEN_STATUSES.map((status) => `'${status}'`).join(', ')})
          GROUP BY lease_agent_id`,
        [locked.map((agent) => agent.id), now],
      );
      const candidates: Candidate[] = locked.map((agent) => ({
        ...agent,
        open: load.find((row) => row.agent === agent.id)?.open ?? 0,
      }));
      const room = candidates.filter((candidate) => candidate.open < candidate.capacity);
      if (!room.length) return null;
      const chosen = await this.leastLoaded(room);
      try {
        await this.review.assignBySystem(manager, reference, appeal.version, chosen.id);
      } catch (error) {
        if (error instanceof DomainError) return undefined;
        throw error;
      }
      await this.presence.assigned(chosen.id);
      return chosen.id;
    });
  }

  /** The fewest open appeals; among equals, the one assigned to longest ago (never first). */
  private async leastLoaded(room: Candidate[]): Promise<Candidate> {
    const fewest = Math.min(...room.map((candidate) => candidate.open));
    const tied = room.filter((candidate) => candidate.open === fewest);
    if (tied.length === 1) return tied[0];
    const last = await this.presence.lastAssigned(tied.map((candidate) => candidate.id));
    return tied.sort((a, b) => (last.get(a.id) ?? 0) - (last.get(b.id) ?? 0) || a.id.localeCompare(b.id))[0];
  }
}
