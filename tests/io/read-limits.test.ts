// The one capped reader of user files (issue 12: /dev/zero as any input grew past 7 GB):
// non-regular files are refused before they are opened, and every read has a size limit
// per kind of file, which GATEFLOW_MAX_READ_MB replaces and the CLI's --max-read-mb raises.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { InputError } from '../../src/errors.js';
import { raiseReadLimits, readBytes, readCell, READ_LIMITS, readLimit, readText } from '../../src/io/fs.js';
import { readTheme } from '../../src/io/theme.js';
import { readSeries } from '../../src/io/series.js';
import { errorOf } from '../expect.js';

const dir = mkdtempSync(join(tmpdir(), 'gateflow-read-'));
afterEach(() => {
  delete process.env.GATEFLOW_MAX_READ_MB;
  raiseReadLimits(undefined);
});

describe('readText and readBytes', () => {
  it('refuse a device, a FIFO and a folder by name, before opening them', () => {
    expect(errorOf(() => readText('/dev/zero', '--input file')).message).toBe("cannot read --input file '/dev/zero': a device, not a regular file");
    expect(errorOf(() => readBytes('/dev/zero', 'weights file')).message).toBe("cannot read weights file '/dev/zero': a device, not a regular file");
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Opening a FIFO with no writer would block for ever: the refusal comes from stat.
    expect(errorOf(() => readText(fifo, 'series file')).message).toBe(`cannot read series file '${fifo}': a FIFO, not a regular file`);
    expect(errorOf(() => readText(dir, 'data file')).message).toBe(`cannot read data file '${dir}': a folder, not a regular file`);
    expect(errorOf(() => readText(join(dir, 'missing.csv'), 'data file')).message).toBe(`cannot read data file '${join(dir, 'missing.csv')}': no such file`);
  });

  it('refuse a file above the limit of its kind, naming the limit and how to raise it', () => {
    const cell = join(dir, 'big.cell');
    writeFileSync(cell, `# ${'x'.repeat(READ_LIMITS.cell)}\n`);
    const error = errorOf(() => readCell(cell));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(`cell file '${cell}' is 1 MB, above the limit of 1 MB for a cell file (raise it with --max-read-mb or GATEFLOW_MAX_READ_MB)`);
  });

  it('GATEFLOW_MAX_READ_MB replaces every limit, both ways', () => {
    const theme = join(dir, 'theme.json');
    writeFileSync(theme, `{"pad": "${'x'.repeat(300_000)}"}`);
    process.env.GATEFLOW_MAX_READ_MB = '0.25';
    expect(errorOf(() => readTheme(theme)).message).toBe(`theme file '${theme}' is 300011 bytes, above the limit of 262144 bytes for a theme file (raise it with --max-read-mb or GATEFLOW_MAX_READ_MB)`);
    process.env.GATEFLOW_MAX_READ_MB = '2';
    expect(readTheme(theme).text.length).toBe(300_011);
    process.env.GATEFLOW_MAX_READ_MB = 'lots';
    expect(errorOf(() => readSeries(theme)).message).toBe("GATEFLOW_MAX_READ_MB must be a positive number of megabytes, found 'lots'");
  });

  it('documents a default limit for every kind of file', () => {
    expect(READ_LIMITS).toEqual({ cell: 1048576, theme: 1048576, text: 67108864, series: 268435456, dataset: 268435456, weights: 1073741824 });
  });
});

describe('--max-read-mb', () => {
  const run = async (args: string[]): Promise<{ status: number; stderr: string }> => {
    let stderr = '';
    const status = await runCli(args, { stderr: (text) => (stderr += text) });
    return { status, stderr };
  };

  it('equations on a 1.5 MB cell: refused by default naming the option, written with --max-read-mb 2', async () => {
    const cell = join(dir, 'padded.cell');
    // A valid cell followed by 1.5 MB of blank lines.
    writeFileSync(cell, `cell: padded\ninput: x\nstate: h\nh = tanh(W x + U h_prev)\n${'\n'.repeat(1_572_864)}`);
    const out = join(dir, 'padded.txt');
    expect(await run(['equations', cell, '-o', out])).toEqual({
      status: 2,
      stderr: `gateflow: cell file '${cell}' is 1.5 MB, above the limit of 1 MB for a cell file (raise it with --max-read-mb or GATEFLOW_MAX_READ_MB)\n`,
    });
    expect(await run(['equations', cell, '-o', out, '--max-read-mb', '2'])).toEqual({ status: 0, stderr: '' });
    expect(readFileSync(out, 'utf8')).toBe('h_t = tanh(W x_t + U h_{t-1})\n');
    // The raise lasts one command.
    expect(readLimit('cell')).toBe(READ_LIMITS.cell);
  });

  it('raises every kind to the value and leaves larger defaults alone; it also raises a lower GATEFLOW_MAX_READ_MB', () => {
    raiseReadLimits(100);
    expect([readLimit('cell'), readLimit('theme'), readLimit('text'), readLimit('series'), readLimit('weights')]).toEqual([100, 100, 100, 256, 1024].map((mb) => mb * 1024 * 1024));
    process.env.GATEFLOW_MAX_READ_MB = '0.5';
    expect(readLimit('weights')).toBe(100 * 1024 * 1024);
    raiseReadLimits(undefined);
    expect(readLimit('weights')).toBe(512 * 1024);
  });

  it('is checked like every number: an integer from 1 to 4000 MB', async () => {
    expect(await run(['equations', 'gru', '--max-read-mb', '0'])).toEqual({ status: 2, stderr: "gateflow: option --max-read-mb: expected an integer from 1 to 4000, found '0'\n" });
  });
});
