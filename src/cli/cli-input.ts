import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { toFieldErrors } from '../common/http/validation.pipe';
import { CliOutput } from './cli-command';

/** A command's `--flag value` options, for parsing and for its `--help`. */
export type FlagSpec = Readonly<Record<string, { readonly value: string; readonly description: string }>>;

export type ParsedFlags = { readonly values: Readonly<Record<string, string | undefined>> } | { readonly exitCode: number };

/** The `--help` text of a command taking `spec`'s flags. */
export function flagsHelp(usage: string, summary: string, spec: FlagSpec): string {
  return [`Usage: npm run cli -- ${usage}`, '', summary, '', ...Object.entries(spec).map(([name, flag]) => `  --${`${name} ${flag.value}`.padEnd(26)} ${flag.description}`)].join('\n');
}

/** Reads `--flag value` arguments; an unknown or malformed flag prints the problem and the help (exit 2). */
export function parseFlags(args: string[], spec: FlagSpec, help: string, out: CliOutput): ParsedFlags {
  try {
    const options = Object.fromEntries(Object.keys(spec).map((name) => [name, { type: 'string' as const }]));
    return { values: parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | undefined> };
  } catch (error) {
    out.line(`${(error as Error).message}\n`);
    out.line(help);
    return { exitCode: 2 };
  }
}

/**
 * Checks input against the same DTO class the HTTP API validates with; prints each field's
 * problem and returns undefined when it is not valid.
 */
export async function validInput<T extends object>(dto: new () => T, input: Record<string, unknown>, out: CliOutput): Promise<T | undefined> {
  const instance = plainToInstance(dto, input);
  const errors = toFieldErrors(await validate(instance, { whitelist: true, forbidNonWhitelisted: true }));
  for (const error of errors) out.line(`${error.field}: ${error.message}`);
  return errors.length ? undefined : instance;
}

/** The first line of standard input, for secrets that should not sit in the shell history. */
export async function firstLineOfStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return undefined;
}
