/** How often an outage (503s) is logged at warn while it lasts. */
export const OUTAGE_LOG_WINDOW_MS = 10_000;

/**
 * One line per window for an event that comes in storms (every request during an outage answers
 * 503): the first of each window is logged at its level, the rest at debug, and the next
 * window's line says how many were held back. Per process, which is all a log needs.
 */
export class LogWindow {
  private openedAt = Number.NEGATIVE_INFINITY;
  private heldBack = 0;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** `{ heldBack }` (events since the last admitted one) when this event opens a window; undefined when it falls in the current one. */
  admit(): { heldBack: number } | undefined {
    const now = this.now();
    if (now - this.openedAt < this.windowMs) {
      this.heldBack += 1;
      return undefined;
    }
    const heldBack = this.heldBack;
    this.openedAt = now;
    this.heldBack = 0;
    return { heldBack };
  }
}
