import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const ESLINT = join(ROOT, 'node_modules', '.bin', 'eslint');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/** ESLint's messages for `text` linted as if it were the file at `asPath`, with the project's own config. */
function lintAs(text: string, asPath: string): Promise<LintMessage[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(ESLINT, ['--format', 'json', '--stdin', '--stdin-filename', asPath], { cwd: ROOT }, (error, stdout) => {
      // ESLint exits 1 when it reports errors; only output that is not its JSON report is a failure.
      try {
        const [result] = JSON.parse(stdout) as { messages: LintMessage[] }[];
        resolve(result.messages);
      } catch {
        reject(error ?? new Error(`eslint printed no report: ${stdout}`));
      }
    });
    child.stdin?.end(text);
  });
}

const fixture = (name: string) => readFileSync(join(ROOT, 'test', 'lint-fixtures', name), 'utf8');
const layerErrors = (messages: LintMessage[]) => messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);

describe('the layer rule (eslint no-restricted-imports per layer)', () => {
  jest.setTimeout(60_000);

  it('fails a common/ file that imports a module', async () => {
    const errors = layerErrors(await lintAs(fixture('common-imports-a-module.ts'), 'src/common/http/layer-fixture.ts'));
    expect(errors).toEqual([expect.stringContaining('The common layer imports nothing from the layers above it')]);
  });

  it('fails an appeals file that imports the back-office pages', async () => {
    const errors = layerErrors(await lintAs(fixture('appeals-import-the-back-office.ts'), 'src/modules/appeals/layer-fixture.ts'));
    expect(errors).toEqual([expect.stringContaining('The appeals layer imports nothing from the layers above it')]);
  });

  it('lets a higher layer import the same files', async () => {
    await expect(
      lintAs(
        fixture('common-imports-a-module.ts').replace("'../../modules/accounts/", "'../accounts/"),
        'src/modules/appeals/layer-fixture.ts',
      ),
    ).resolves.toEqual([]);
    await expect(lintAs(fixture('appeals-import-the-back-office.ts'), 'src/modules/admin/layer-fixture.ts')).resolves.toEqual([]);
  });

  it("lets the database layer register a module's entities, and nothing else of it", async () => {
    const entity = "import { Account } from '../modules/accounts/entities/account.entity';\n\nexport const imported = Account;\n";
    await expect(lintAs(entity, 'src/database/layer-fixture.ts')).resolves.toEqual([]);
    const service = "import { AccountsService } from '../modules/accounts/accounts.service';\n\nexport const imported = AccountsService;\n";
    expect(layerErrors(await lintAs(service, 'src/database/layer-fixture.ts'))).toHaveLength(1);
  });

  it("fails a benchmark that imports the tests' support code, and lets it import tools/", async () => {
    const fixtureText = fixture('bench-imports-test-support.ts');
    expect(layerErrors(await lintAs(fixtureText, 'bench/lib/layer-fixture.ts'))).toEqual([expect.stringContaining('never test/')]);
    await expect(
      lintAs(fixtureText.replace("'../../test/support/wait-for'", "'../../tools/wait-for'"), 'bench/lib/layer-fixture.ts'),
    ).resolves.toEqual([]);
    const shared = "import { TestApp } from '../test/support/test-app';\n\nexport type Imported = TestApp;\n";
    expect(layerErrors(await lintAs(shared, 'tools/layer-fixture.ts'))).toEqual([expect.stringContaining('imports neither')]);
  });
});
