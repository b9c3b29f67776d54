/**
 * Number.prototype.toFixed's strings, written as bytes: the table of a 1,000-step trace at
 * hidden 128 has over a million numbers, and a string for each (with its padding) cost more
 * than the trace. |v|·10^digits is rounded in float64 and the digits come from that integer
 * whenever that rounding provably matches toFixed's (which rounds the exact binary value, half
 * away from zero); otherwise (within a float64 step of a tie, too large, not finite) toFixed
 * itself answers.
 */

/** Above this, the scaled value's integer part and its rounding are no longer exact. */
const EXACT_LIMIT = 2 ** 52;
/** Digits for which 10^digits is an exact float64 (toFixed takes up to 100). */
const MAX_FAST_DIGITS = 15;
/** "0000" to "9999" as ASCII, each a little-endian 32-bit word: four digits a store. */
const QUADS = Uint32Array.from({ length: 10_000 }, (_, n) => {
  const text = String(n).padStart(4, '0');
  return (text.charCodeAt(0) | (text.charCodeAt(1) << 8) | (text.charCodeAt(2) << 16) | (text.charCodeAt(3) << 24)) >>> 0;
});

export interface FixedDigits {
  /** The length of v.toFixed(digits). */
  length(v: number): number;
  /** Writes v.toFixed(digits) into `bytes` (ASCII) so that it ends just before `end`. */
  write(bytes: Uint8Array, end: number, v: number): void;
  /**
   * Writes values data[from], ..., data[from + count - 1] (-0 as 0), each right-aligned in a cell
   * of `cell` bytes (at least the longest number + 2) already filled with spaces, the first cell
   * starting at `start`; returns where the last one ends. One loop for a row, so that the JIT
   * compiles it as one piece: the common case (|v| < 214,748 at 4 digits, no tie) inline, the
   * fraction's digits four to a store.
   */
  writeCells(bytes: Uint8Array, start: number, data: ArrayLike<number>, from: number, count: number, cell: number): number;
}

/** round(|v|·10^digits) as toFixed rounds it, or -1 when toFixed must answer. */
function scaledValue(v: number, scale: number, fast: boolean): number {
  if (!fast) return -1;
  const x = (v < 0 ? -v : v) * scale;
  // NaN fails this test too.
  if (!(x < EXACT_LIMIT)) return -1;
  const whole = Math.floor(x);
  const fraction = x - whole;
  // x is the exact |v|·10^digits rounded once (scale is exact), and k + 0.5 is a float64 below
  // 2^52: rounding never crosses it, so only an x exactly on the tie may have left the other
  // side (or be a true tie, which toFixed rounds up); toFixed decides those.
  if (fraction === 0.5) return -1;
  return fraction > 0.5 ? whole + 1 : whole;
}

/** Digits before the point: n's digits less the fraction's, at least one ('0.0012'). */
function integerDigits(n: number, digits: number): number {
  let count = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) count++;
  return Math.max(1, count - digits);
}

function writeText(bytes: Uint8Array, end: number, text: string): void {
  for (let i = 0; i < text.length; i++) bytes[end - text.length + i] = text.charCodeAt(i);
}

/** m's decimal digits (m a non-negative 32-bit integer), ending before `at`; the start. */
function writeWhole32(bytes: Uint8Array, at: number, m: number): number {
  do {
    const q = (m / 10) | 0;
    bytes[--at] = 48 + m - q * 10;
    m = q;
  } while (m > 0);
  return at;
}

/** n's digits, the point after `digits` of them, ending before `end`; the start. */
function writeDigits(bytes: Uint8Array, end: number, n: number, digits: number): number {
  let at = end;
  if (n <= 0x7fffffff) {
    // In 32-bit integers (|v| < 214,748 at 4 digits: nearly every value): a double's % is a
    // call to fmod, an integer's division by 10 a multiplication.
    let m = n | 0;
    for (let k = 0; k < digits; k++) {
      const q = (m / 10) | 0;
      bytes[--at] = 48 + m - q * 10;
      m = q;
    }
    if (digits > 0) bytes[--at] = 46; // '.'
    return writeWhole32(bytes, at, m);
  }
  for (let k = 0; k < digits; k++) {
    bytes[--at] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  if (digits > 0) bytes[--at] = 46;
  do {
    bytes[--at] = 48 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return at;
}

type WriteCells = FixedDigits['writeCells'];

/** FixedDigits.writeCells for `digits`, falling back on `write` off the common case. */
function cellWriter(digits: number, scale: number, fast: boolean, write: FixedDigits['write']): WriteCells {
  const quads = digits >> 2;
  const singles = digits & 3;
  let viewOf: Uint8Array | undefined;
  let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  return (bytes, start, data, from, count, cell) => {
    if (bytes !== viewOf) {
      viewOf = bytes;
      view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    let end = start;
    for (let k = 0; k < count; k++) {
      const v = data[from + k]!;
      end += cell;
      const x = Math.abs(v) * scale;
      // Rounded to the nearest; off a tie by less than half a unit, x + 0.5 may round up past
      // the next integer, which shows as |x - m| ≥ 0.5 (exact: m is within 1 of x).
      let m = (x + 0.5) | 0;
      const off = x - m;
      // Anything but a 32-bit integer part of a finite value off a tie goes the long way.
      if (!fast || !(x < 0x7fffffff) || off <= -0.5 || off >= 0.5) {
        write(bytes, end, v === 0 ? 0 : v);
        continue;
      }
      // The cell was filled with spaces: the sign's byte is '-' or a space (no branch to mispredict).
      const sign = 32 + 13 * +(v < 0);
      let at = end;
      for (let q = 0; q < quads; q++) {
        const rest = (m / 10_000) | 0;
        at -= 4;
        view.setUint32(at, QUADS[m - rest * 10_000]!, true);
        m = rest;
      }
      for (let q = 0; q < singles; q++) {
        const rest = (m / 10) | 0;
        bytes[--at] = 48 + m - rest * 10;
        m = rest;
      }
      if (digits > 0 && m < 10) {
        // One digit before the point: a space, the sign, the digit and '.' as one word (the cell
        // has room: it is at least digits + 4 wide).
        view.setUint32(at - 4, 0x2e000020 | ((48 + m) << 16) | (sign << 8), true);
        continue;
      }
      if (digits > 0) bytes[--at] = 46; // '.'
      bytes[writeWhole32(bytes, at, m) - 1] = sign;
    }
    return end;
  };
}

/** toFixed(digits) as lengths and bytes; `format` gives the string, for tests. */
export function fixedDigits(digits: number): FixedDigits & { format(v: number): string } {
  const fast = Number.isInteger(digits) && digits >= 0 && digits <= MAX_FAST_DIGITS;
  const scale = 10 ** digits;
  const length = (v: number): number => {
    const n = scaledValue(v, scale, fast);
    if (n < 0) return v.toFixed(digits).length;
    return (v < 0 ? 1 : 0) + integerDigits(n, digits) + (digits > 0 ? digits + 1 : 0);
  };
  const write = (bytes: Uint8Array, end: number, v: number): void => {
    const n = scaledValue(v, scale, fast);
    if (n < 0) return writeText(bytes, end, v.toFixed(digits));
    const at = writeDigits(bytes, end, n, digits);
    if (v < 0) bytes[at - 1] = 45; // '-'
  };
  const writeCells = cellWriter(digits, scale, fast, write);
  const format = (v: number): string => {
    const bytes = new Uint8Array(length(v));
    write(bytes, bytes.length, v);
    return String.fromCharCode(...bytes);
  };
  return { length, write, writeCells, format };
}
