import { creationCommand } from '../../common/command-line/creation-command';
import { AccountsService } from '../accounts/accounts.service';
import { CreateAccountDto } from './dto/create-account.dto';

/** `npm run cli -- account:create`: provisions a root account as `POST /api/admin/accounts` does and prints its UID. */
export const accountCreateCommand = creationCommand({
  name: 'account:create',
  usage: '--email <email> [--password <password>] [--phone <+E.164>] [--name <name>] [--locale en|zh-CN]',
  summary: 'Create a root account and print its UID (password from --password or the first line of stdin)',
  flags: {
    email: { value: '<email>', description: 'logon email (required)' },
    password: { value: '<password>', description: '12 to 128 characters; read from stdin when absent' },
    phone: { value: '<+E.164>', description: 'secure phone, such as +8613812345678' },
    name: { value: '<name>', description: 'display name' },
    locale: { value: 'en|zh-CN', description: 'language of messages (default en)' },
  },
  dto: CreateAccountDto,
  input: ({ email, password, phone, name, locale }) => ({ logonEmail: email, password, securePhone: phone, displayName: name, locale }),
  create: async (app, input) =>
    (await app.get(AccountsService, { strict: false }).create(input, { actor: { type: 'system', id: 'cli' } })).uid,
});
