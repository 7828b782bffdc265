import { INestApplicationContext } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { toFieldErrors } from '../http/validation.pipe';
import { CliCommand } from './cli-command';

/** A command's `--flag value` options, for parsing and for its `--help`. */
export type FlagSpec = Readonly<Record<string, { readonly value: string; readonly description: string }>>;

export interface CreationCommandSpec<Dto extends object> {
  readonly name: string;
  /** The arguments after the command name, for the usage line. */
  readonly usage: string;
  readonly summary: string;
  /** A `password` flag left out is read from the first line of standard input. */
  readonly flags: FlagSpec;
  /** The request DTO of the matching admin API call: the command validates with the same rules. */
  readonly dto: new () => Dto;
  /** The DTO's fields from the flag values. */
  input(values: Readonly<Record<string, string | undefined>>): Record<string, unknown>;
  /** Creates the thing and returns the id to print. */
  create(app: INestApplicationContext, input: Dto): Promise<string>;
}

/**
 * A command that creates something from `--flag value` arguments, validated like the admin API,
 * and prints its id. Unknown flags and invalid values exit 2 naming the problem.
 */
export function creationCommand<Dto extends object>(spec: CreationCommandSpec<Dto>): CliCommand {
  const usage = `${spec.name} ${spec.usage}`;
  const help = [
    `Usage: npm run cli -- ${usage}`,
    '',
    spec.summary,
    '',
    ...Object.entries(spec.flags).map(([name, flag]) => `  --${`${name} ${flag.value}`.padEnd(26)} ${flag.description}`),
  ].join('\n');
  return {
    name: spec.name,
    usage,
    summary: spec.summary,
    help,
    async run(app, args, out) {
      let values: Record<string, string | undefined>;
      try {
        const options = Object.fromEntries(Object.keys(spec.flags).map((name) => [name, { type: 'string' as const }]));
        values = parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | undefined>;
      } catch (error) {
        out.line(`${(error as Error).message}\n\n${help}`);
        return 2;
      }
      if ('password' in spec.flags && values.password === undefined) values.password = await firstLineOfStdin();
      const input = plainToInstance(spec.dto, spec.input(values));
      const errors = toFieldErrors(await validate(input, { whitelist: true, forbidNonWhitelisted: true }));
      for (const error of errors) out.line(`${error.field}: ${error.message}`);
      if (errors.length) return 2;
      out.line(await spec.create(app, input));
      return 0;
    },
  };
}

/** The first line of standard input, for secrets that should not sit in the shell history. */
async function firstLineOfStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return undefined;
}
