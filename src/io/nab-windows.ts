/**
 * io: the Numenta Anomaly Benchmark's labels (labels/combined_windows.json in a NAB checkout),
 * so `rnn benchmark --data NAB/` can read NAB's own timestamp,value files: the JSON maps each
 * data file ("realKnownCause/nyc_taxi.csv") to its anomaly windows, each a pair of timestamps
 * ("2014-11-01 19:00:00.000000"), both ends included. Pure: text in, windows and labels out;
 * a bad entry is reported as file:line:column.
 */
import { clipText, InputError } from '../errors.js';
import { jsonError, parseJsonText } from './json-text.js';
import type { SeriesTable } from './series.js';
import { parseIsoTimestamp, timeColumnOfSeries } from './time-column.js';

/** One window in ms since 1970 UTC, both ends included (as NAB reads them). */
export interface NabWindow {
  readonly start: number;
  readonly end: number;
}

/** Data file (its path below data/, with '/') → its windows. */
export type NabWindows = ReadonlyMap<string, readonly NabWindow[]>;

/** Decodes combined_windows.json, checking every window is two ISO timestamps in order. */
export function decodeNabWindows(text: string, file: string): NabWindows {
  const parsed = parseJsonText(text, file);
  const root = parsed.value;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) throw jsonError(file, { line: 1, column: 1 }, 'expected an object mapping data files to lists of windows');
  const windows = new Map<string, NabWindow[]>();
  for (const [name, list] of Object.entries(root)) {
    if (!Array.isArray(list)) throw jsonError(file, parsed.memberPosition(root, name), `'${clipText(name)}': expected a list of [start, end] windows`);
    windows.set(
      name,
      list.map((pair, i) => {
        const at = parsed.elementPosition(list, i);
        const times = Array.isArray(pair) && pair.length === 2 ? pair.map((t) => (typeof t === 'string' ? parseIsoTimestamp(t) : undefined)) : [];
        if (times.length !== 2 || times[0] === undefined || times[1] === undefined) throw jsonError(file, at, `'${clipText(name)}' window ${i + 1}: expected two timestamps such as ["2014-11-01 19:00:00", "2014-11-02 19:00:00"]`);
        if (times[0]! > times[1]!) throw jsonError(file, at, `'${clipText(name)}' window ${i + 1}: it ends before it starts`);
        return { start: times[0]!, end: times[1]! };
      }),
    );
  }
  return windows;
}

/**
 * The series labelled 1 where its timestamp lies inside one of `windows` (a series that has
 * its own label column is returned as it is). Its timestamps must be dates: ISO, as NAB's
 * are, or Unix epoch times (time-column.ts).
 */
export function labelFromWindows(series: SeriesTable, windows: readonly NabWindow[]): SeriesTable {
  if (series.labels) return series;
  const file = series.source.file;
  if (!series.timestamps) throw new InputError(`${file}: no timestamp column, so NAB's windows cannot be placed on it`);
  const column = timeColumnOfSeries(series)!;
  if (column.kind !== 'iso' && column.kind !== 'epoch') throw new InputError(`${file}: the timestamps are not all dates (ISO-8601, or Unix epoch seconds, milliseconds, microseconds or nanoseconds), so NAB's windows cannot be placed on them`);
  const labels = Uint8Array.from(column.ms, (t) => (windows.some((w) => t >= w.start && t <= w.end) ? 1 : 0));
  return { ...series, labels };
}
