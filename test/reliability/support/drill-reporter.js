// Jest reporter of the reliability drills: empties the run's report file at the start and prints
// one table (drill, caused, delivered, duplicates, lost, result) at the end.
const { existsSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const FILE = join(__dirname, '..', '..', '..', 'test-results', 'drills.jsonl');
const COLUMNS = ['drill', 'caused', 'delivered', 'duplicates', 'lost', 'result', 'note'];

class DrillReporter {
  onRunStart() {
    rmSync(FILE, { force: true });
  }

  onRunComplete() {
    const rows = existsSync(FILE)
      ? readFileSync(FILE, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line))
      : [];
    if (rows.length === 0) return;
    rows.sort((a, b) => a.drill.localeCompare(b.drill, 'en', { numeric: true }));
    const cells = rows.map((row) => [
      row.drill,
      String(row.caused),
      String(row.delivered),
      String(row.duplicates),
      String(row.lost),
      row.lost === 0 ? 'pass' : 'FAIL',
      row.note ?? '',
    ]);
    const widths = COLUMNS.map((name, i) => Math.max(name.length, ...cells.map((cell) => cell[i].length)));
    const line = (values) =>
      values
        .map((value, i) => value.padEnd(widths[i]))
        .join('  ')
        .trimEnd();
    const out = [line(COLUMNS), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)];
    process.stdout.write(`\nReliability drills\n${out.join('\n')}\n`);
  }
}

module.exports = DrillReporter;
