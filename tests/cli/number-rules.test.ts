// checkNumber: which spellings of a number the command line accepts, and the words of a refusal.
import { describe, expect, it } from 'vitest';
import { checkNumber, describeRule, numberRule, sizeLimits } from '../../src/cli/number-rules.js';

describe('checkNumber', () => {
  const any = { min: -10, max: 10 };
  it('accepts plain decimals, signs and exponents, as Number reads them', () => {
    for (const [text, value] of [['3', 3], ['-2.5', -2.5], ['+2', 2], ['.5', 0.5], ['5.', 5], ['1e1', 10], ['1E-3', 0.001], [' 4 ', 4]] as const) {
      expect(checkNumber(text, any)).toEqual({ value });
    }
  });

  it('refuses what Number would read as something else: hex, Infinity, underscores, empty text', () => {
    for (const text of ['0x10', 'Infinity', '-Infinity', 'NaN', '1_0', '', ' ', '1e', '--1', '1,5']) {
      expect(checkNumber(text, any)).toEqual({ reason: `expected a number from -10 to 10, found '${text}'` });
    }
  });

  it('says which bound failed in words, and points sizes at --max-size', () => {
    expect(checkNumber('0', numberRule('vae train', 'lr')!)).toEqual({ reason: "expected a number above 0 and at most 10, found '0'" });
    expect(checkNumber('0.5', numberRule('rnn detect', 'window')!)).toEqual({ reason: "expected an integer from 1 to 10000, found '0.5'" });
    expect(checkNumber('20000', numberRule('rnn detect', 'window')!)).toEqual({ reason: "expected an integer from 1 to 10000, found '20000' (--max-size raises the limit)" });
    expect(checkNumber('20000', numberRule('rnn detect', 'window')!, 30000)).toEqual({ value: 20000 });
    expect(checkNumber('1', numberRule('rnn detect', 'normal-fraction')!)).toEqual({ reason: "expected a number above 0 and below 1, found '1'" });
    expect(describeRule(numberRule('diagram', 'steps')!)).toBe('an integer from 1 to 8');
    expect(describeRule(numberRule('gradflow', 'steps')!)).toBe('an integer from 1 to 10000');
  });

  it('quotes at most 40 characters of what was typed', () => {
    expect(checkNumber('9'.repeat(100), any)).toEqual({ reason: `expected a number from -10 to 10, found '${'9'.repeat(40)}…'` });
  });
});

describe("the README's table of size limits", () => {
  it('gives every size option the limit its rule has, and leaves none out', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.split('### Options, limits and outputs')[1]!.split('\n### ')[0]!;
    const listed = new Map<string, number>();
    for (const row of table.split('\n').filter((line) => line.trim().startsWith('| `'))) {
      const cells = row.split('|').map((c) => c.trim());
      for (const [options, limit] of [[cells[1]!, cells[2]!], [cells[3]!, cells[4]!]]) {
        for (const [, name] of options.matchAll(/`--([a-z-]+)[^`]*`/g)) listed.set(name!, Number(limit.replace(/,/g, '')));
      }
    }
    // --size NAME=N takes the hidden size's rule (sizeValue in cli/options.ts).
    for (const [name, limit] of listed) expect([name, numberRule('gradflow', name === 'size' ? 'hidden' : name)?.limit]).toEqual([name, limit]);
    for (const name of sizeLimits().keys()) expect(listed.has(name), `--${name} is missing from the README's table`).toBe(true);
  });
});
