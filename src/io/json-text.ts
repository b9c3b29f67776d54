/**
 * A small strict JSON reader that remembers where every array and object starts, so a
 * bad value in an input or weights file is reported as file:line:column. JSON.parse
 * forgets positions; Python's json.dumps writes NaN and Infinity, which are named here.
 */
import { InputError } from '../errors.js';

export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A 1-based line and column. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

export interface ParsedJson {
  readonly value: JsonValue;
  /** Where each array or object (by identity) begins. */
  readonly positions: WeakMap<object, TextPosition>;
  /** Where the element at `index` of `array` begins (numbers included). */
  elementPosition(array: readonly JsonValue[], index: number): TextPosition;
  /** Where the value of `key` in `object` begins. */
  memberPosition(object: object, key: string): TextPosition;
}

/** The error for a value at a position: `file:line:column: reason`. */
export function jsonError(file: string, at: TextPosition, reason: string): InputError {
  return new InputError(`${file}:${at.line}:${at.column}: ${reason}`);
}

/**
 * Offset → 1-based line and column, by binary search over the line starts (found once), so
 * a reader can afford a position for every value.
 */
export function lineIndex(text: string): (offset: number) => TextPosition {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low]! + 1 };
  };
}

export function parseJsonText(text: string, file: string): ParsedJson {
  const positions = new WeakMap<object, TextPosition>();
  const elementStarts = new WeakMap<object, TextPosition[]>();
  const memberStarts = new WeakMap<object, Map<string, TextPosition>>();
  let index = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const positionOf = lineIndex(text);
  const fail = (offset: number, reason: string): never => {
    throw jsonError(file, positionOf(offset), reason);
  };
  const describeAt = (offset: number): string => {
    if (offset >= text.length) return 'the end of the file';
    const word = /^[A-Za-z_+\-.0-9]+/.exec(text.slice(offset, offset + 20))?.[0];
    return `'${word ?? text[offset]}'`;
  };
  const skipSpace = (): void => {
    while (index < text.length) {
      const c = text.charCodeAt(index);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) index++;
      else break;
    }
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

  const parseValue = (): JsonValue => {
    skipSpace();
    const start = index;
    const c = text[index];
    if (c === '[') {
      index++;
      const array: JsonValue[] = [];
      const starts: TextPosition[] = [];
      positions.set(array, positionOf(start));
      elementStarts.set(array, starts);
      skipSpace();
      if (text[index] === ']') {
        index++;
        return array;
      }
      for (;;) {
        skipSpace();
        starts.push(positionOf(index));
        array.push(parseValue());
        skipSpace();
        if (text[index] === ',') index++;
        else if (text[index] === ']') {
          index++;
          return array;
        } else fail(index, `expected ',' or ']' in an array, found ${describeAt(index)}`);
      }
    }
    if (c === '{') {
      index++;
      const object: { [key: string]: JsonValue } = {};
      const starts = new Map<string, TextPosition>();
      positions.set(object, positionOf(start));
      memberStarts.set(object, starts);
      skipSpace();
      if (text[index] === '}') {
        index++;
        return object;
      }
      for (;;) {
        skipSpace();
        if (text[index] !== '"') fail(index, `expected a quoted key, found ${describeAt(index)}`);
        const keyAt = index;
        const key = parseString();
        if (starts.has(key)) fail(keyAt, `duplicate key "${key}"`);
        skipSpace();
        if (text[index] !== ':') fail(index, `expected ':' after the key "${key}", found ${describeAt(index)}`);
        index++;
        skipSpace();
        starts.set(key, positionOf(index));
        object[key] = parseValue();
        skipSpace();
        if (text[index] === ',') index++;
        else if (text[index] === '}') {
          index++;
          return object;
        } else fail(index, `expected ',' or '}' in an object, found ${describeAt(index)}`);
      }
    }
    if (c === '"') return parseString();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, index)) {
        index += word.length;
        return value;
      }
    }
    for (const word of ['NaN', 'Infinity', '-Infinity']) {
      if (text.startsWith(word, index)) fail(index, `${word} is not a finite number (JSON has no NaN or Infinity; numbers must be finite)`);
    }
    NUMBER.lastIndex = index;
    const match = NUMBER.exec(text);
    if (!match) return fail(index, `expected a value, found ${describeAt(index)}`);
    index += match[0].length;
    const value = Number(match[0]);
    if (!Number.isFinite(value)) fail(start, `${match[0]} is not a finite number in float64`);
    return value;
  };

  const parseString = (): string => {
    const start = index;
    index++;
    let out = '';
    while (index < text.length) {
      const c = text[index];
      if (c === '"') {
        index++;
        return out;
      }
      if (c === '\\') {
        const escape = text[index + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (escape !== undefined && escape in simple) {
          out += simple[escape];
          index += 2;
        } else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) {
          out += String.fromCharCode(parseInt(text.slice(index + 2, index + 6), 16));
          index += 6;
        } else fail(index, 'invalid escape in a string');
      } else if (c === '\n') {
        fail(index, 'unterminated string');
      } else {
        out += c;
        index++;
      }
    }
    return fail(start, 'unterminated string');
  };

  const value = parseValue();
  skipSpace();
  if (index < text.length) fail(index, `unexpected ${describeAt(index)} after the JSON value`);
  return {
    value,
    positions,
    elementPosition: (array, i) => elementStarts.get(array)?.[i] ?? positions.get(array) ?? { line: 1, column: 1 },
    memberPosition: (object, key) => memberStarts.get(object)?.get(key) ?? positions.get(object) ?? { line: 1, column: 1 },
  };
}
