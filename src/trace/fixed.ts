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

export interface FixedDigits {
  /** The length of v.toFixed(digits). */
  length(v: number): number;
  /** Writes v.toFixed(digits) into `bytes` (ASCII) so that it ends just before `end`. */
  write(bytes: Uint8Array, end: number, v: number): void;
  /**
   * Writes each value of `row` (-0 as 0) right-aligned in a cell of `cell` bytes, the first cell
   * starting at `start`; returns where the last one ends. One loop for a row, so that the JIT
   * compiles it as one piece: the common case (|v| < 214,748 at 4 digits, no tie) inline.
   */
  writeRow(bytes: Uint8Array, start: number, row: ArrayLike<number>, cell: number): number;
}

/** toFixed(digits) as lengths and bytes; `format` gives the string, for tests. */
export function fixedDigits(digits: number): FixedDigits & { format(v: number): string } {
  const fast = Number.isInteger(digits) && digits >= 0 && digits <= MAX_FAST_DIGITS;
  const scale = 10 ** digits;
  /** round(|v|·10^digits) as toFixed rounds it, or -1 when toFixed must answer. */
  const scaled = (v: number): number => {
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
  };
  /** Digits before the point: n's digits less the fraction's, at least one ('0.0012'). */
  const integerDigits = (n: number): number => {
    let count = 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) count++;
    return Math.max(1, count - digits);
  };
  const writeText = (bytes: Uint8Array, end: number, text: string): void => {
    for (let i = 0; i < text.length; i++) bytes[end - text.length + i] = text.charCodeAt(i);
  };
  const length = (v: number): number => {
    const n = scaled(v);
    if (n < 0) return v.toFixed(digits).length;
    return (v < 0 ? 1 : 0) + integerDigits(n) + (digits > 0 ? digits + 1 : 0);
  };
  /** n's digits, the point after `digits` of them, ending before `end`; the start. */
  const writeDigits = (bytes: Uint8Array, end: number, n: number): number => {
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
      do {
        const q = (m / 10) | 0;
        bytes[--at] = 48 + m - q * 10;
        m = q;
      } while (m > 0);
      return at;
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
  };
  const write = (bytes: Uint8Array, end: number, v: number): void => {
    const n = scaled(v);
    if (n < 0) return writeText(bytes, end, v.toFixed(digits));
    const at = writeDigits(bytes, end, n);
    if (v < 0) bytes[at - 1] = 45; // '-'
  };
  const writeRow = (bytes: Uint8Array, start: number, row: ArrayLike<number>, cell: number): number => {
    let end = start;
    for (let k = 0; k < row.length; k++) {
      const v = row[k]!;
      end += cell;
      const x = (v < 0 ? -v : v) * scale;
      const whole = Math.floor(x);
      const fraction = x - whole;
      // Anything but a 32-bit integer part of a finite value off a tie goes the long way.
      if (!fast || !(x < 0x7fffffff) || fraction === 0.5) {
        write(bytes, end, v === 0 ? 0 : v);
        continue;
      }
      const at = writeDigits(bytes, end, fraction > 0.5 ? whole + 1 : whole);
      if (v < 0) bytes[at - 1] = 45; // '-'
    }
    return end;
  };
  const format = (v: number): string => {
    const bytes = new Uint8Array(length(v));
    write(bytes, bytes.length, v);
    return String.fromCharCode(...bytes);
  };
  return { length, write, writeRow, format };
}
