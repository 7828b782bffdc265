import type { DestinationStream } from 'pino';

/** A pino destination that keeps every line in memory, for tests that read what the app logged. */
export class LogCapture implements DestinationStream {
  private readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line);
  }

  /** Everything logged so far, one JSON object a line. */
  get text(): string {
    return this.lines.join('');
  }

  get count(): number {
    return this.lines.length;
  }
}
