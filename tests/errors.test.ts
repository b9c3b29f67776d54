// Every GateflowError is one line of readable length, whatever input it quotes
// (issue 12: JSON.parse messages spanning lines, messages echoing a megabyte of input).
import { describe, expect, it } from 'vitest';
import { clipText, GateflowError, InputError, MAX_MESSAGE_CHARS, oneLine } from '../src/errors.js';

describe('error messages', () => {
  it('oneLine writes line breaks, tabs and other control characters as escapes', () => {
    expect(oneLine('a\nb\r\tc\u0001d\u007fe\u2028f')).toBe('a\\nb\\r\\tc\\u0001d\\u007fe\\u2028f');
  });

  it('oneLine cuts a long text and says how much was left out', () => {
    expect(oneLine('x'.repeat(12), 5)).toBe('xxxxx… (7 more characters)');
    expect(oneLine('x'.repeat(5), 5)).toBe('xxxxx');
  });

  it('clipText quotes at most 60 characters of the user\'s text', () => {
    expect(clipText('1'.repeat(100))).toBe(`${'1'.repeat(60)}…`);
    expect(clipText('ab\ncd')).toBe('ab\\ncd');
  });

  it('a GateflowError built from a megabyte of multi-line input is one line of MAX_MESSAGE_CHARS characters and a note', () => {
    const error = new InputError(`f.json: not valid JSON (${'a\n'.repeat(500_000)})`);
    expect(error).toBeInstanceOf(GateflowError);
    expect(error.message).not.toContain('\n');
    // 24 characters of prefix and 325 pairs of 'a' and an escaped line break (3 characters each)
    // make 999; one more 'a' makes 1000. That used 24 + 651 of the 1,000,025 characters.
    expect(MAX_MESSAGE_CHARS).toBe(1000);
    expect(error.message).toBe(`f.json: not valid JSON (${'a\\n'.repeat(325)}a… (999350 more characters)`);
  });
});
