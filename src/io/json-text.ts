/**
 * A small strict JSON reader that remembers where every array and object starts, so a
 * bad value in an input or weights file is reported as file:line:column. JSON.parse
 * forgets positions; Python's json.dumps writes NaN and Infinity, which are named here.
 */
import { clipText, InputError } from '../errors.js';

export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A 1-based line and column. */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

export interface ParsedJson {
  readonly value: JsonValue;
  /** Where each array or object (by identity) begins. */
  readonly positions: { get(node: object): TextPosition | undefined };
  /** Where the element at `index` of `array` begins (numbers included). */
  elementPosition(array: readonly JsonValue[], index: number): TextPosition;
  /** Where the value of `key` in `object` begins. */
  memberPosition(object: object, key: string): TextPosition;
}

/**
 * Nesting deeper than this is refused: no gateflow file nests more than a few levels, and
 * code that walks a value (a shape check, JSON.stringify) may recurse.
 */
export const MAX_JSON_DEPTH = 64;

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
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
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

/** An array or object being read: its value and the text offset of each element or member. */
type OpenContainer =
  | { readonly kind: 'array'; readonly value: JsonValue[]; readonly starts: number[] }
  | { readonly kind: 'object'; readonly value: { [key: string]: JsonValue }; readonly starts: Map<string, number>; key: string };

/**
 * Strict JSON → value, with positions. Iterative (an explicit stack of open arrays and
 * objects), so deep nesting is an error message rather than a stack overflow; offsets
 * are kept as numbers and turned into line:column only when a message needs one.
 */
export function parseJsonText(text: string, file: string, maxDepth = MAX_JSON_DEPTH): ParsedJson {
  const containerStarts = new WeakMap<object, number>();
  const elementStarts = new WeakMap<object, number[]>();
  const memberStarts = new WeakMap<object, Map<string, number>>();
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
  const stack: OpenContainer[] = [];

  /** A scalar at `index`, or a new container pushed on the stack (returned as undefined). */
  const startValue = (): JsonValue | undefined => {
    skipSpace();
    const start = index;
    const c = text[index];
    if (c === '[' || c === '{') {
      if (stack.length >= maxDepth) fail(start, `arrays and objects nest more than ${maxDepth} deep`);
      index++;
      const open: OpenContainer = c === '['
        ? { kind: 'array', value: [], starts: [] }
        : { kind: 'object', value: {}, starts: new Map(), key: '' };
      containerStarts.set(open.value, start);
      if (open.kind === 'array') elementStarts.set(open.value, open.starts);
      else memberStarts.set(open.value, open.starts);
      stack.push(open);
      return undefined;
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
    if (!Number.isFinite(value)) fail(start, `${clipText(match[0])} is not a finite number in float64`);
    return value;
  };

  /** Before a member's value: the quoted key and the colon. */
  const startMember = (open: OpenContainer & { kind: 'object' }): void => {
    skipSpace();
    if (text[index] !== '"') fail(index, `expected a quoted key, found ${describeAt(index)}`);
    const keyAt = index;
    const key = parseString();
    if (open.starts.has(key)) fail(keyAt, `duplicate key "${clipText(key)}"`);
    skipSpace();
    if (text[index] !== ':') fail(index, `expected ':' after the key "${clipText(key)}", found ${describeAt(index)}`);
    index++;
    skipSpace();
    open.key = key;
    open.starts.set(key, index);
  };

  /** Puts a finished value into the innermost open container (or returns it at the top). */
  const store = (open: OpenContainer, value: JsonValue): void => {
    if (open.kind === 'array') open.value.push(value);
    // A "__proto__" key is data, as JSON.parse makes it, not the object's prototype.
    else Object.defineProperty(open.value, open.key, { value, enumerable: true, writable: true, configurable: true });
  };

  /**
   * After a value inside `open`: a comma (then the next element's start) or the closing
   * bracket. Returns true when the container closed.
   */
  const afterValue = (open: OpenContainer): boolean => {
    skipSpace();
    const close = open.kind === 'array' ? ']' : '}';
    if (text[index] === close) {
      index++;
      return true;
    }
    if (text[index] !== ',') fail(index, `expected ',' or '${close}' in an ${open.kind}, found ${describeAt(index)}`);
    index++;
    if (open.kind === 'array') {
      skipSpace();
      open.starts.push(index);
    } else startMember(open);
    return false;
  };

  /** Right after an opening bracket: an empty container closes at once, else its first element starts. */
  const afterOpen = (open: OpenContainer): boolean => {
    skipSpace();
    if (text[index] === (open.kind === 'array' ? ']' : '}')) {
      index++;
      return true;
    }
    if (open.kind === 'array') open.starts.push(index);
    else startMember(open);
    return false;
  };

  let result: JsonValue | undefined = startValue();
  let justOpened = result === undefined;
  while (stack.length > 0) {
    const open = stack[stack.length - 1]!;
    const closed = justOpened ? afterOpen(open) : afterValue(open);
    if (closed) {
      stack.pop();
      const parent = stack[stack.length - 1];
      if (parent) store(parent, open.value);
      else result = open.value;
      justOpened = false;
      continue;
    }
    const value = startValue();
    justOpened = value === undefined;
    if (!justOpened) store(open, value!);
  }

  function parseString(): string {
    const start = index;
    index++;
    let out = '';
    let runStart = index;
    while (index < text.length) {
      const c = text.charCodeAt(index);
      if (c === 0x22 /* " */) {
        out += text.slice(runStart, index);
        index++;
        return out;
      }
      if (c === 0x5c /* \ */) {
        out += text.slice(runStart, index);
        const escape = text[index + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (escape !== undefined && Object.hasOwn(simple, escape)) {
          out += simple[escape];
          index += 2;
        } else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) {
          out += String.fromCharCode(parseInt(text.slice(index + 2, index + 6), 16));
          index += 6;
        } else fail(index, 'invalid escape in a string');
        runStart = index;
      } else if (c === 0x0a) {
        fail(index, 'unterminated string');
      } else index++;
    }
    return fail(start, 'unterminated string');
  }

  skipSpace();
  if (index < text.length) fail(index, `unexpected ${describeAt(index)} after the JSON value`);
  const at = (offset: number | undefined): TextPosition | undefined => (offset === undefined ? undefined : positionOf(offset));
  return {
    value: result!,
    positions: { get: (node) => at(containerStarts.get(node)) },
    elementPosition: (array, i) => at(elementStarts.get(array)?.[i] ?? containerStarts.get(array)) ?? { line: 1, column: 1 },
    memberPosition: (object, key) => at(memberStarts.get(object)?.get(key) ?? containerStarts.get(object)) ?? { line: 1, column: 1 },
  };
}
