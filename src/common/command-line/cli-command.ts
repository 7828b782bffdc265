import { INestApplicationContext } from '@nestjs/common';

export interface CliOutput {
  line(text: string): void;
  /** Progress on long commands: `done` of `total`, rewritten in place on a terminal. */
  progress(done: number, total: number, label: string): void;
}

/** One `npm run cli -- <name>` command. Returns the process exit code. */
export interface CliCommand {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** `<command> --help`, printed without starting anything; the usage line when absent. */
  readonly help?: string;
  run(app: INestApplicationContext, args: string[], out: CliOutput): Promise<number>;
}
