// The one capped reader of user files (issue 12: /dev/zero as any input grew past 7 GB):
// non-regular files are refused before they are opened, and every read has a size limit
// per kind of file, which GATEFLOW_MAX_READ_MB replaces.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readBytes, readCell, READ_LIMITS, readText } from '../../src/io/fs.js';
import { readTheme } from '../../src/io/theme.js';
import { readSeries } from '../../src/io/series.js';
import { errorOf } from '../expect.js';

const dir = mkdtempSync(join(tmpdir(), 'gateflow-read-'));
afterEach(() => {
  delete process.env.GATEFLOW_MAX_READ_MB;
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
    expect(error.message).toBe(`cell file '${cell}' is 1 MB, above the limit of 1 MB for a cell file (set GATEFLOW_MAX_READ_MB to raise it)`);
  });

  it('GATEFLOW_MAX_READ_MB replaces every limit, both ways', () => {
    const theme = join(dir, 'theme.json');
    writeFileSync(theme, `{"pad": "${'x'.repeat(300_000)}"}`);
    process.env.GATEFLOW_MAX_READ_MB = '0.25';
    expect(errorOf(() => readTheme(theme)).message).toBe(`theme file '${theme}' is 300011 bytes, above the limit of 262144 bytes for a theme file (set GATEFLOW_MAX_READ_MB to raise it)`);
    process.env.GATEFLOW_MAX_READ_MB = '2';
    expect(readTheme(theme).text.length).toBe(300_011);
    process.env.GATEFLOW_MAX_READ_MB = 'lots';
    expect(errorOf(() => readSeries(theme)).message).toBe("GATEFLOW_MAX_READ_MB must be a positive number of megabytes, found 'lots'");
  });

  it('documents a default limit for every kind of file', () => {
    expect(READ_LIMITS).toEqual({ cell: 1048576, theme: 1048576, text: 67108864, series: 268435456, dataset: 268435456, weights: 1073741824 });
  });
});
