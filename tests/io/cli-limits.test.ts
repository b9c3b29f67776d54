// Hostile files through the command line (issue 12): each ends in one line on stderr and
// exit status 2, with no internal error. The bin is the build that npm test makes first.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { THEMES_DIR } from '../../src/io/index.js';

const BIN = resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'gateflow-limits-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function gateflow(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: work, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
    child.stdin!.end();
  });
}

describe('gateflow on hostile files', { timeout: 60_000 }, () => {
  it('trace -i /dev/zero: refused at once, not read for ever', async () => {
    const run = await gateflow('trace', 'rnn', '-i', '/dev/zero');
    expect([run.status, run.stderr]).toEqual([2, "gateflow: cannot read --input file '/dev/zero': a device, not a regular file\n"]);
  });

  it('rnn detect --series FIFO: refused without blocking on the FIFO', async () => {
    execFileSync('mkfifo', [join(work, 'series.csv')]);
    const run = await gateflow('rnn', 'detect', '--series', 'series.csv');
    expect([run.status, run.stderr]).toEqual([2, "gateflow: cannot read series file 'series.csv': a FIFO, not a regular file\n"]);
  });

  it('diagram --theme with "fontPx": 100000: refused before drawing', async () => {
    const theme = JSON.parse(readFileSync(join(THEMES_DIR, 'light.json'), 'utf8'));
    writeFileSync(join(work, 'huge.json'), JSON.stringify({ ...theme, fontPx: 100_000 }));
    const run = await gateflow('diagram', 'rnn', '--theme', 'huge.json', '-o', 'x.png');
    expect([run.status, run.stderr]).toEqual([2, "gateflow: huge.json: 'fontPx' must be a number from 6 to 64, found 100000\n"]);
  });

  it('trace with a 4 KB input when GATEFLOW_MAX_READ_MB is 0.001: refused, naming the variable', async () => {
    writeFileSync(join(work, 'seq.json'), `[${new Array(1000).fill('[1]').join(',')}]`);
    process.env.GATEFLOW_MAX_READ_MB = '0.001';
    try {
      const run = await gateflow('trace', 'rnn', '-i', 'seq.json');
      expect([run.status, run.stderr]).toEqual([2, "gateflow: --input file 'seq.json' is 4001 bytes, above the limit of 1048 bytes for a text file (raise it with --max-read-mb or GATEFLOW_MAX_READ_MB)\n"]);
    } finally {
      delete process.env.GATEFLOW_MAX_READ_MB;
    }
  });
});
