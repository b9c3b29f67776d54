/**
 * Explore stage, the page script's arithmetic: decoding the packed arrays, colour scales,
 * number formatting, downsampling for the small multiples. These functions run in the
 * browser (src/build/client-script.mjs makes the page script from this file) and in the tests
 * under Node, so each one uses only its arguments, the others and standard globals.
 */

export type Rgb = [number, number, number];

export interface PageScale {
  readonly kind: string;
  readonly min: number;
  readonly max: number;
}

export interface PageColours {
  readonly negative: string;
  readonly zero: string;
  readonly positive: string;
  readonly border: string;
}

/** base64 of little-endian float32 bytes → the array (atob exists in browsers and Node ≥ 16). */
export function decodeFloat32(base64: string): Float32Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/**
 * A packed value array → its values: float32 as is, or integers q as q / divisor (model.ts
 * packArray). 16-bit codes read into float32 (they keep every printed digit there); 32-bit
 * ones into float64, since float32 could move a large value across a printed digit.
 */
export function decodeArray(base64: string, type: string, divisor: number): Float32Array | Float64Array {
  if (type === 'f32') return decodeFloat32(base64);
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const ints = type === 'i16' ? new Int16Array(bytes.buffer) : new Int32Array(bytes.buffer);
  const out = type === 'i16' ? new Float32Array(ints.length) : new Float64Array(ints.length);
  for (let i = 0; i < ints.length; i++) out[i] = ints[i]! / divisor;
  return out;
}

export function hexToRgb(hex: string): Rgb {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
}

export function mixRgb(a: Rgb, b: Rgb, t: number): Rgb {
  return [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * t)) as Rgb;
}

/**
 * The colour of v on its scale: a gate scale [0, 1] runs from the zero colour to the positive
 * one; a symmetric scale [-m, m] diverges through the zero colour. NaN is the border colour.
 */
export function scaleColour(v: number, scale: PageScale, colours: PageColours): Rgb {
  if (Number.isNaN(v)) return hexToRgb(colours.border);
  const zero = hexToRgb(colours.zero);
  if (scale.min >= 0) {
    const t = Math.max(0, Math.min(1, (v - scale.min) / (scale.max - scale.min || 1)));
    return mixRgb(zero, hexToRgb(colours.positive), t);
  }
  const m = Math.max(Math.abs(scale.min), Math.abs(scale.max)) || 1;
  const t = Math.max(-1, Math.min(1, v / m));
  return t < 0 ? mixRgb(zero, hexToRgb(colours.negative), -t) : mixRgb(zero, hexToRgb(colours.positive), t);
}

/** A gradient norm on a log scale over `decades` below the largest norm, zero colour to the negative one. */
export function gradientColour(norm: number, largest: number, colours: PageColours, decades = 6): Rgb {
  if (!(norm > 0) || !(largest > 0)) return hexToRgb(colours.zero);
  const t = Math.max(0, Math.min(1, (Math.log10(norm) - Math.log10(largest) + decades) / decades));
  return mixRgb(hexToRgb(colours.zero), hexToRgb(colours.negative), t);
}

/** Black or white ink, whichever reads better on the background rgb. */
export function inkOn(rgb: Rgb): string {
  const luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  return luminance > 140 ? '#000000' : '#ffffff';
}

/** A value as the page prints it: 4 decimals, plain '-' for negatives, no '-0'. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  const text = v.toFixed(4);
  return /^-0\.0+$/.test(text) ? text.slice(1) : text;
}

/** A gradient norm in scientific notation with 3 significant digits. */
export function formatNorm(v: number): string {
  return v === 0 ? '0' : v.toExponential(2);
}

/**
 * A value's vector at step t of batch element b, from its [T][B][n] array; a previous state
 * reads its state at t-1, or the initial [B][n] at t = 0. Null before the sequence.
 */
export function vectorAt(
  arrays: { readonly data?: Float32Array | Float64Array; readonly previousOf?: Float32Array | Float64Array; readonly initial?: Float32Array | Float64Array },
  size: number,
  batch: number,
  t: number,
  b: number,
): Float32Array | Float64Array | null {
  if (t < 0) return null;
  if (arrays.data) return arrays.data.subarray((t * batch + b) * size, (t * batch + b + 1) * size);
  if (t === 0) return arrays.initial!.subarray(b * size, (b + 1) * size);
  return arrays.previousOf!.subarray(((t - 1) * batch + b) * size, ((t - 1) * batch + b + 1) * size);
}

/**
 * Units × time → columns × rows for a small multiple `columns` wide: each column the mean of
 * its steps (every step its own column when T ≤ columns). Row u, column c at [u * columns + c].
 */
export function downsample(data: Float32Array | Float64Array, steps: number, batch: number, size: number, b: number, columns: number): Float32Array {
  const out = new Float32Array(size * columns);
  const counts = new Uint32Array(columns);
  for (let t = 0; t < steps; t++) {
    const c = Math.min(columns - 1, Math.floor((t * columns) / steps));
    counts[c]!++;
    const at = (t * batch + b) * size;
    for (let u = 0; u < size; u++) out[u * columns + c] += data[at + u]!;
  }
  for (let c = 0; c < columns; c++) for (let u = 0; u < size; u++) out[u * columns + c] /= counts[c] || 1;
  return out;
}
