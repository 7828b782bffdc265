import { Injectable } from '@nestjs/common';

/**
 * The time as the service sees it: real time plus an offset. Only tests and the demo's seeding
 * (before the server and workers start) move it, through `advance`, `freeze` and `thaw`, to step
 * through lifetimes without waiting or to write data as of a past time; nothing patches `now`.
 */
@Injectable()
export class Clock {
  private offsetMs = 0;
  private frozenAtMs: number | undefined;

  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return (this.frozenAtMs ?? Date.now()) + this.offsetMs;
  }

  /** Adds `ms` to the offset over real time (negative: back into the past). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Stops the time at `atMs` (plus the offset) until `thaw()`, for checks that must not cross a boundary in real time while they run. */
  freeze(atMs = Date.now()): number {
    this.frozenAtMs = atMs;
    return atMs;
  }

  thaw(): void {
    this.frozenAtMs = undefined;
  }

  /** Back to real time: no offset, not frozen. */
  reset(): void {
    this.offsetMs = 0;
    this.frozenAtMs = undefined;
  }

  /** Runs `work` as if it were `ageMs` ago, then moves the time back. */
  async asOf<T>(ageMs: number, work: () => Promise<T>): Promise<T> {
    this.advance(-ageMs);
    try {
      return await work();
    } finally {
      this.advance(ageMs);
    }
  }
}
