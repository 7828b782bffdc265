import { CliCommand } from '../../cli/cli-command';
import { firstLineOfStdin, flagsHelp, parseFlags, validInput } from '../../cli/cli-input';
import { AccountsService } from '../accounts/accounts.service';
import { CreateAccountDto } from './dto/create-account.dto';

const USAGE = 'account:create --email <email> [--password <password>] [--phone <+E.164>] [--name <name>] [--locale en|zh-CN]';
const SUMMARY = 'Create a root account and print its UID (password from --password or the first line of stdin)';
const FLAGS = {
  email: { value: '<email>', description: 'logon email (required)' },
  password: { value: '<password>', description: '12 to 128 characters; read from stdin when absent' },
  phone: { value: '<+E.164>', description: 'secure phone, such as +8613812345678' },
  name: { value: '<name>', description: 'display name' },
  locale: { value: 'en|zh-CN', description: 'language of messages (default en)' },
};
const HELP = flagsHelp(USAGE, SUMMARY, FLAGS);

/** `npm run cli -- account:create`: provisions a root account as `POST /api/admin/accounts` does and prints its UID. */
export const accountCreateCommand: CliCommand = {
  name: 'account:create',
  usage: USAGE,
  summary: SUMMARY,
  help: HELP,
  async run(app, args, out) {
    const flags = parseFlags(args, FLAGS, HELP, out);
    if ('exitCode' in flags) return flags.exitCode;
    const { email, password, phone, name, locale } = flags.values;
    const input = await validInput(
      CreateAccountDto,
      { logonEmail: email, password: password ?? (await firstLineOfStdin()), securePhone: phone, displayName: name, locale },
      out,
    );
    if (!input) return 2;
    const account = await app.get(AccountsService, { strict: false }).create(input, { actor: { type: 'system', id: 'cli' } });
    out.line(account.uid);
    return 0;
  },
};
