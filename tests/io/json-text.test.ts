// The position-keeping JSON reader: strict JSON, positions of arrays, objects and their
// elements, and one located message per kind of mistake.
import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../src/io/json-text.js';

describe('parseJsonText', () => {
  it('parses strict JSON, with escapes and a byte-order mark', () => {
    const { value } = parseJsonText('\ufeff{"a": [1, -2.5e-3, true, null], "b\\u00e9\\n": "x\\"y"}', 'f.json');
    expect(value).toEqual({ a: [1, -0.0025, true, null], 'bé\n': 'x"y' });
  });

  it('remembers where arrays, elements and members start (1-based line and column)', () => {
    const parsed = parseJsonText('{\n  "W": [[1, 2],\n        [3, 4]]\n}', 'f.json');
    const root = parsed.value as { W: number[][] };
    expect(parsed.memberPosition(root, 'W')).toEqual({ line: 2, column: 8 });
    expect(parsed.positions.get(root.W[1])).toEqual({ line: 3, column: 9 });
    expect(parsed.elementPosition(root.W[1], 1)).toEqual({ line: 3, column: 13 });
  });

  it.each([
    ['', "f.json:1:1: expected a value, found the end of the file"],
    ['[1, 2', "f.json:1:6: expected ',' or ']' in an array, found the end of the file"],
    ['{"a" 1}', "f.json:1:6: expected ':' after the key \"a\", found '1'"],
    ['{a: 1}', "f.json:1:2: expected a quoted key, found 'a'"],
    ['["abc', 'f.json:1:2: unterminated string'],
    ['["a\\q"]', 'f.json:1:4: invalid escape in a string'],
    ['[01]', "f.json:1:3: expected ',' or ']' in an array, found '1'"],
    ['[Infinity]', 'f.json:1:2: Infinity is not a finite number (JSON has no NaN or Infinity; numbers must be finite)'],
    ['[1]\n[2]', "f.json:2:1: unexpected '[' after the JSON value"],
  ])('%j → %s', (text, message) => {
    expect(() => parseJsonText(text, 'f.json')).toThrow(message);
  });
});
