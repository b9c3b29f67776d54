import { describe, expect, it } from 'vitest';
import { decodeCsvRows, decodeJsonRows } from '../../../src/io/dataset.js';
import { InputError } from '../../../src/errors.js';

const csv = (text: string, range: 'unit' | 'real' = 'unit') => decodeCsvRows(text, { file: 'd.csv', range });
const json = (text: string, range: 'unit' | 'real' = 'unit') => decodeJsonRows(text, { file: 'd.json', range });

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('decodeCsvRows', () => {
  it('reads rows, skips blank and # lines, and takes labels from a header column', () => {
    const rows = csv('a,label,b\n# comment\n0.5,3,1\n\n0,7,0.25\n');
    expect(rows.count).toBe(2);
    expect(rows.dim).toBe(2);
    expect(Array.from(rows.values)).toEqual([0.5, 1, 0, 0.25]);
    expect(Array.from(rows.labels!)).toEqual([3, 7]);
  });

  it('reads headerless rows without labels', () => {
    const rows = csv('0,1\n1,0\n');
    expect(rows.labels).toBeUndefined();
    expect(Array.from(rows.values)).toEqual([0, 1, 1, 0]);
  });

  it('names file:line:column for a value that is not a number', () => {
    expect(message(() => csv('0,1\n0, x\n'))).toBe("d.csv:2:4: 'x' is not a finite number");
  });

  it('names file:line:column for a ragged row', () => {
    expect(message(() => csv('0,1,0\n\n1,0\n'))).toBe('d.csv:3:1: row has 2 values, expected 3 (as in the first row, line 1)');
  });

  it('rejects values outside [0, 1] for a Bernoulli likelihood, accepts them with --gaussian', () => {
    expect(message(() => csv('0,1\n0,1.5\n'))).toBe('d.csv:2:3: value 1.5 is outside [0, 1] (a Bernoulli likelihood needs values in [0, 1]; use --gaussian for real-valued data)');
    expect(Array.from(csv('0,1\n-2,1.5\n', 'real').values)).toEqual([0, 1, -2, 1.5]);
  });

  it('rejects an empty field, a bad label and a file without rows', () => {
    expect(message(() => csv('0,,1\n'))).toBe('d.csv:1:3: empty field, expected a number');
    expect(message(() => csv('x,label\n0,two\n'))).toBe("d.csv:2:3: label 'two' is not an integer");
    expect(message(() => csv('# nothing\n'))).toBe('d.csv: no rows of numbers found');
  });
});

describe('decodeJsonRows', () => {
  it('reads arrays of numbers and objects with x and label', () => {
    expect(Array.from(json('[[0, 0.5], [1, 0.25]]').values)).toEqual([0, 0.5, 1, 0.25]);
    const rows = json('[{"x": [0, 1], "label": 2}, {"label": 5, "x": [1, 1]}]');
    expect(Array.from(rows.labels!)).toEqual([2, 5]);
    expect(rows.dim).toBe(2);
  });

  it('names file:line:column of a bad value, a ragged row and a syntax error', () => {
    expect(message(() => json('[\n  [0, 1],\n  [0, 2]\n]'))).toBe('d.json:3:7: value 2 is outside [0, 1] (a Bernoulli likelihood needs values in [0, 1]; use --gaussian for real-valued data)');
    expect(message(() => json('[\n  [0, 1],\n  [0]\n]'))).toBe('d.json:3:3: row has 1 values, expected 2 (as in the first row, line 2)');
    expect(message(() => json('[[0, 1], [0, "a"]]'))).toBe(`d.json:1:14: expected a number, found '"a"]]'`);
    expect(message(() => json('[[0, 1]'))).toBe("d.json:1:8: expected ']', found end of file");
    expect(message(() => json('[{"y": [1]}]'))).toBe(`d.json:1:3: unknown field 'y' (a row object has "x" and optionally "label")`);
  });
});
