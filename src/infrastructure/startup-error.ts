/** A start-up failure the operator can fix: printed as one line, then the process exits 1. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
