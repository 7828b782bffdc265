import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { CliOutput } from './common/command-line/cli-command';
import { COMMANDS } from './cli/commands';
import { ConfigError, loadConfig } from './config/app-config';
import { startRuntime } from './infrastructure/runtime';
import { StartupError } from './infrastructure/startup-error';

// `npm run cli -- <command> [args]`: administrative commands against the configured (or embedded) database.

const output: CliOutput = {
  line: (text) => process.stdout.write(`${text}\n`),
  progress: (done, total, label) => {
    const text = `${label}: ${done}/${total}`;
    if (process.stdout.isTTY) process.stdout.write(`\r${text}${done >= total ? '\n' : ''}`);
    else if (done >= total || done % Math.max(1, Math.floor(total / 10)) === 0) process.stdout.write(`${text}\n`);
  },
};

function help(): string {
  const width = Math.max(...COMMANDS.map((command) => command.usage.length), 10);
  return [
    'Usage: npm run cli -- <command> [arguments]',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`),
    `  ${'--help'.padEnd(width)}  Show this list`,
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${help()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${command.help ?? `Usage: npm run cli -- ${command.usage}`}\n`);
    return 0;
  }
  const runtime = await startRuntime({ ...loadConfig(), role: 'api' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config: runtime.config, workers: false }), {
    logger: ['error'],
    abortOnError: false,
  });
  try {
    return await command.run(app, args, output);
  } finally {
    await app.close();
    await runtime.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message =
      error instanceof ConfigError
        ? `Invalid configuration: ${error.message}`
        : error instanceof StartupError
          ? error.message
          : (error as Error).message;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  },
);
