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
  const reader = new JsonReader(text, file, maxDepth);
  const value = reader.readDocument();
  const { containerStarts, elementStarts, memberStarts, positionOf } = reader;
  const at = (offset: number | undefined): TextPosition | undefined => (offset === undefined ? undefined : positionOf(offset));
  return {
    value,
    positions: { get: (node) => at(containerStarts.get(node)) },
    elementPosition: (array, i) => at(elementStarts.get(array)?.[i] ?? containerStarts.get(array)) ?? { line: 1, column: 1 },
    memberPosition: (object, key) => at(memberStarts.get(object)?.get(key) ?? containerStarts.get(object)) ?? { line: 1, column: 1 },
  };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The reading of one text: a cursor, the stack of open containers, and where each value starts. */
class JsonReader {
  readonly containerStarts = new WeakMap<object, number>();
  readonly elementStarts = new WeakMap<object, number[]>();
  readonly memberStarts = new WeakMap<object, Map<string, number>>();
  readonly positionOf: (offset: number) => TextPosition;
  private index: number;
  private readonly stack: OpenContainer[] = [];

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly maxDepth: number,
  ) {
    this.index = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.positionOf = lineIndex(text);
  }

  /** The one value of the text, nothing but blanks after it. */
  readDocument(): JsonValue {
    const value = this.readValue();
    this.skipSpace();
    if (this.index < this.text.length) this.fail(this.index, `unexpected ${this.describeAt(this.index)} after the JSON value`);
    return value;
  }

  /** One value, nested containers read with the explicit stack. */
  private readValue(): JsonValue {
    const stack = this.stack;
    let result: JsonValue | undefined = this.startValue();
    let justOpened = result === undefined;
    while (stack.length > 0) {
      const open = stack[stack.length - 1]!;
      const closed = justOpened ? this.afterOpen(open) : this.afterValue(open);
      if (closed) {
        stack.pop();
        const parent = stack[stack.length - 1];
        if (parent) store(parent, open.value);
        else result = open.value;
        justOpened = false;
        continue;
      }
      const value = this.startValue();
      justOpened = value === undefined;
      if (!justOpened) store(open, value!);
    }
    return result!;
  }

  private fail(offset: number, reason: string): never {
    throw jsonError(this.file, this.positionOf(offset), reason);
  }

  private describeAt(offset: number): string {
    if (offset >= this.text.length) return 'the end of the file';
    const word = /^[A-Za-z_+\-.0-9]+/.exec(this.text.slice(offset, offset + 20))?.[0];
    return `'${word ?? this.text[offset]}'`;
  }

  private skipSpace(): void {
    const text = this.text;
    while (this.index < text.length) {
      const c = text.charCodeAt(this.index);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.index++;
      else break;
    }
  }

  /** A scalar at the cursor, or a new container pushed on the stack (returned as undefined). */
  private startValue(): JsonValue | undefined {
    this.skipSpace();
    const start = this.index;
    const c = this.text[start];
    if (c === '[' || c === '{') {
      this.open(c, start);
      return undefined;
    }
    if (c === '"') return this.parseString();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, start)) {
        this.index += word.length;
        return value;
      }
    }
    return this.parseNumber();
  }

  /** A container opened at `start`, its element or member starts recorded as they come. */
  private open(bracket: '[' | '{', start: number): void {
    if (this.stack.length >= this.maxDepth) this.fail(start, `arrays and objects nest more than ${this.maxDepth} deep`);
    this.index++;
    const open: OpenContainer = bracket === '['
      ? { kind: 'array', value: [], starts: [] }
      : { kind: 'object', value: {}, starts: new Map(), key: '' };
    this.containerStarts.set(open.value, start);
    if (open.kind === 'array') this.elementStarts.set(open.value, open.starts);
    else this.memberStarts.set(open.value, open.starts);
    this.stack.push(open);
  }

  /** A finite number; NaN and Infinity are named. */
  private parseNumber(): number {
    const { text } = this;
    const start = this.index;
    for (const word of ['NaN', 'Infinity', '-Infinity']) {
      if (text.startsWith(word, start)) this.fail(start, `${word} is not a finite number (JSON has no NaN or Infinity; numbers must be finite)`);
    }
    NUMBER.lastIndex = start;
    const match = NUMBER.exec(text);
    if (!match) return this.fail(start, `expected a value, found ${this.describeAt(start)}`);
    this.index += match[0].length;
    const value = Number(match[0]);
    if (!Number.isFinite(value)) this.fail(start, `${clipText(match[0])} is not a finite number in float64`);
    return value;
  }

  /** Before a member's value: the quoted key and the colon. */
  private startMember(open: OpenContainer & { kind: 'object' }): void {
    this.skipSpace();
    if (this.text[this.index] !== '"') this.fail(this.index, `expected a quoted key, found ${this.describeAt(this.index)}`);
    const keyAt = this.index;
    const key = this.parseString();
    if (open.starts.has(key)) this.fail(keyAt, `duplicate key "${clipText(key)}"`);
    this.skipSpace();
    if (this.text[this.index] !== ':') this.fail(this.index, `expected ':' after the key "${clipText(key)}", found ${this.describeAt(this.index)}`);
    this.index++;
    this.skipSpace();
    open.key = key;
    open.starts.set(key, this.index);
  }

  /**
   * After a value inside `open`: a comma (then the next element's start) or the closing
   * bracket. Returns true when the container closed.
   */
  private afterValue(open: OpenContainer): boolean {
    this.skipSpace();
    const close = open.kind === 'array' ? ']' : '}';
    if (this.text[this.index] === close) {
      this.index++;
      return true;
    }
    if (this.text[this.index] !== ',') this.fail(this.index, `expected ',' or '${close}' in an ${open.kind}, found ${this.describeAt(this.index)}`);
    this.index++;
    if (open.kind === 'array') {
      this.skipSpace();
      open.starts.push(this.index);
    } else this.startMember(open);
    return false;
  }

  /** Right after an opening bracket: an empty container closes at once, else its first element starts. */
  private afterOpen(open: OpenContainer): boolean {
    this.skipSpace();
    if (this.text[this.index] === (open.kind === 'array' ? ']' : '}')) {
      this.index++;
      return true;
    }
    if (open.kind === 'array') open.starts.push(this.index);
    else this.startMember(open);
    return false;
  }

  private parseString(): string {
    const { text } = this;
    const start = this.index;
    this.index++;
    let out = '';
    let runStart = this.index;
    while (this.index < text.length) {
      const c = text.charCodeAt(this.index);
      if (c === 0x22 /* " */) {
        out += text.slice(runStart, this.index);
        this.index++;
        return out;
      }
      if (c === 0x5c /* \ */) {
        out += text.slice(runStart, this.index);
        const escape = text[this.index + 1];
        if (escape !== undefined && Object.hasOwn(SIMPLE_ESCAPES, escape)) {
          out += SIMPLE_ESCAPES[escape];
          this.index += 2;
        } else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(this.index + 2, this.index + 6))) {
          out += String.fromCharCode(parseInt(text.slice(this.index + 2, this.index + 6), 16));
          this.index += 6;
        } else this.fail(this.index, 'invalid escape in a string');
        runStart = this.index;
      } else if (c === 0x0a) {
        this.fail(this.index, 'unterminated string');
      } else this.index++;
    }
    return this.fail(start, 'unterminated string');
  }
}

/** Puts a finished value into the innermost open container. */
function store(open: OpenContainer, value: JsonValue): void {
  if (open.kind === 'array') open.value.push(value);
  // A "__proto__" key is data, as JSON.parse makes it, not the object's prototype.
  else Object.defineProperty(open.value, open.key, { value, enumerable: true, writable: true, configurable: true });
}
