/**
 * train/anomaly: labelled benchmark series from a seed. A seasonal signal (a fundamental and
 * its second harmonic) with Gaussian noise; the first half is normal (for training and the
 * threshold), the second half carries injected anomalies of the chosen kinds:
 *   spike        one point pushed by 2–3 units (at a trough it can stay inside the usual range)
 *   level-shift  a segment moved up or down by 1–1.5 units
 *   frequency    a segment whose phase runs 1.8× (or 0.55×) as fast, with no jump at either end
 *   flat         a segment frozen at its first value (plus the same noise)
 */
import { createRandom, type Random } from '../../random.js';
import type { Segment, Series } from './types.js';
import { InputError } from '../../errors.js';

export const ANOMALY_KINDS = ['spike', 'level-shift', 'frequency', 'flat'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface SynthOptions {
  readonly seed: number;
  /** Kinds to inject (default: all of them, mixed in one series). */
  readonly kinds?: readonly AnomalyKind[];
  /** Points in the series (default 4000). */
  readonly length?: number;
  /** Period of the fundamental in steps (default 40). */
  readonly period?: number;
  /** Standard deviation of the noise (default 0.05; the signal's amplitude is about 1.3). */
  readonly noise?: number;
  /** Anomalies of each kind (default 3). */
  readonly count?: number;
  /** Fraction of the series kept free of anomalies at its start (default 0.5). */
  readonly normalFraction?: number;
}

export interface InjectedAnomaly extends Segment {
  readonly kind: AnomalyKind;
}

export interface SynthSeries extends Series {
  readonly anomalies: readonly InjectedAnomaly[];
  /** Steps before this index are anomaly-free. */
  readonly normalUntil: number;
}

const SEGMENT_LENGTH: Record<AnomalyKind, readonly [number, number]> = {
  spike: [1, 1],
  'level-shift': [60, 100],
  frequency: [100, 150],
  flat: [60, 100],
};
/** Normal steps kept between two anomalies (and after the normal part), so each one stands alone. */
const MIN_GAP = 60;

function intBetween(random: Random, low: number, high: number): number {
  return low + random.int(high - low + 1);
}

/** Places the anomalies at random, non-overlapping, at least MIN_GAP apart, inside [from, to). */
function place(random: Random, kinds: readonly AnomalyKind[], count: number, from: number, to: number): InjectedAnomaly[] {
  const wanted = random.shuffle(kinds.flatMap((kind) => Array.from({ length: count }, () => kind)));
  const lengths = wanted.map((kind) => intBetween(random, ...SEGMENT_LENGTH[kind]));
  const slack = to - from - lengths.reduce((a, b) => a + b, 0) - MIN_GAP * (wanted.length + 1);
  if (slack < 0) throw new InputError(`${wanted.length} anomalies do not fit in ${to - from} steps; use a longer series or fewer anomalies`);
  // Random extra gaps that sum to at most `slack`: sorted uniform cut points.
  const cuts = Array.from({ length: wanted.length }, () => random.int(slack + 1)).sort((a, b) => a - b);
  const placed: InjectedAnomaly[] = [];
  let cursor = from + MIN_GAP;
  let used = 0;
  wanted.forEach((kind, i) => {
    cursor += cuts[i]! - used;
    used = cuts[i]!;
    placed.push({ kind, start: cursor, end: cursor + lengths[i]! });
    cursor += lengths[i]! + MIN_GAP;
  });
  return placed;
}

/** A labelled series; the same options give the same numbers. */
export function synthSeries(options: SynthOptions): SynthSeries {
  const length = options.length ?? 4000;
  const period = options.period ?? 40;
  const noise = options.noise ?? 0.05;
  const kinds = options.kinds ?? ANOMALY_KINDS;
  const normalUntil = Math.floor(length * (options.normalFraction ?? 0.5));
  const random = createRandom(options.seed);
  const placement = random.fork();
  const signalNoise = random.fork();
  const magnitudes = random.fork();
  const anomalies = place(placement, kinds, options.count ?? 3, normalUntil, length);
  const kindAt = new Array<InjectedAnomaly | undefined>(length);
  for (const a of anomalies) for (let t = a.start; t < a.end; t++) kindAt[t] = a;

  const effect = new Map<InjectedAnomaly, number>();
  for (const a of anomalies) {
    const sign = magnitudes.next() < 0.5 ? -1 : 1;
    if (a.kind === 'spike') effect.set(a, sign * magnitudes.uniform(2, 3));
    else if (a.kind === 'level-shift') effect.set(a, sign * magnitudes.uniform(1, 1.5));
    else if (a.kind === 'frequency') effect.set(a, sign > 0 ? 1.8 : 0.55);
  }

  const values = new Float64Array(length);
  const labels = new Uint8Array(length);
  const step = (2 * Math.PI) / period;
  let phase = 0;
  let frozen = 0;
  for (let t = 0; t < length; t++) {
    const a = kindAt[t];
    const clean = Math.sin(phase) + 0.4 * Math.sin(2 * phase + 0.7);
    let v = clean;
    if (a?.kind === 'spike' || a?.kind === 'level-shift') v += effect.get(a)!;
    if (a?.kind === 'flat') {
      if (t === a.start) frozen = clean;
      v = frozen;
    }
    values[t] = v + noise * signalNoise.normal();
    labels[t] = a ? 1 : 0;
    phase += a?.kind === 'frequency' ? step * effect.get(a)! : step;
  }
  return {
    channels: ['value'],
    values,
    length,
    timestamps: Array.from({ length }, (_, t) => String(t)),
    labels,
    anomalies: [...anomalies].sort((a, b) => a.start - b.start),
    normalUntil,
  };
}

/** The series as CSV text: t, value, label (what `gateflow rnn detect --series` reads back). */
export function seriesToCsv(series: Series): string {
  const C = series.channels.length;
  const header = ['t', ...series.channels, ...(series.labels ? ['label'] : [])];
  const rows = [header.join(',')];
  for (let t = 0; t < series.length; t++) {
    const cells = [series.timestamps?.[t] ?? String(t)];
    for (let c = 0; c < C; c++) cells.push(formatValue(series.values[t * C + c]!));
    if (series.labels) cells.push(String(series.labels[t]));
    rows.push(cells.join(','));
  }
  return rows.join('\n') + '\n';
}

/** Six significant digits, enough for a benchmark file and stable across platforms. */
export function formatValue(v: number): string {
  return String(Number(v.toPrecision(6)));
}
