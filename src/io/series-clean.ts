/**
 * io: messy real series made regular, each repair reported once as a note naming file:line.
 *   - timestamps that go backwards: rows sorted by time (stable), or refused with the line;
 *   - duplicate timestamps: values averaged (labels: any 1), or kept;
 *   - gaps: the largest is reported against the usual step; `resample` puts the series on a
 *     regular grid at that step (values linear between neighbours, labels and lines from the
 *     nearest row);
 *   - missing values and timestamps (NaN after decodeSeriesCsv with `missing`): rows dropped
 *     ('skip') or filled linearly between their neighbours in file order ('interpolate'; the
 *     nearest at the ends; a filled timestamp is written in its column's form).
 * The timestamps are the column decodeSeriesCsv read (SeriesTable.time), never classified again;
 * the series out carries its own column, of the same kind, for the chart and the time step.
 * Pure: the series in, a new series and the notes out.
 */
import { clipText, InputError } from '../errors.js';
import { DECIMAL_NUMBER } from './number-text.js';
import type { SeriesTable } from './series.js';
import { formatTimeAs, parseIsoTimestamp, timeColumnOfSeries, usualStep, utcText, type TimeColumn } from './time-column.js';

export { timeStepOf } from './time-column.js';

export interface CleanOptions {
  readonly missing?: 'error' | 'skip' | 'interpolate';
  /** What to do with timestamps that go backwards (default 'sort'). */
  readonly order?: 'sort' | 'error';
  /** What to do with rows that share a timestamp (default 'mean'). */
  readonly duplicates?: 'mean' | 'keep';
  /** Put the series on a regular grid at its usual step. */
  readonly resample?: boolean;
}

export interface CleanedSeries {
  readonly series: SeriesTable;
  /** One sentence per repair or finding, for warnings. */
  readonly notes: readonly string[];
}

/** A gap is an interval longer than this many usual steps. */
const GAP_FACTOR = 1.5;

interface Rows {
  times?: number[];
  timestamps?: string[];
  values: number[][];
  labels?: number[];
  lines: number[];
}

function toRows(s: SeriesTable, times: number[] | undefined): Rows {
  const C = s.channels.length;
  return {
    ...(times ? { times } : {}),
    ...(s.timestamps ? { timestamps: [...s.timestamps] } : {}),
    values: Array.from({ length: s.length }, (_, t) => Array.from(s.values.subarray(t * C, t * C + C))),
    ...(s.labels ? { labels: Array.from(s.labels) } : {}),
    lines: Array.from(s.source.lines),
  };
}

/** The cleaned rows' timestamp column: the same kind as the series', with the rows' times. */
function columnOf(column: TimeColumn, r: Rows): TimeColumn {
  switch (column.kind) {
    case 'iso':
      return { kind: 'iso', ms: r.times!, hasTime: r.timestamps!.some((t) => t.trim().length > 10) };
    case 'epoch':
      return { kind: 'epoch', unit: column.unit, ms: r.times! };
    case 'number':
      return { kind: 'number', values: r.times! };
    case 'text':
      return column;
  }
}

function fromRows(s: SeriesTable, r: Rows, column: TimeColumn | undefined): SeriesTable {
  return {
    channels: s.channels,
    values: Float64Array.from(r.values.flat()),
    length: r.values.length,
    ...(r.timestamps ? { timestamps: r.timestamps, time: columnOf(column!, r), timestampColumn: s.timestampColumn ?? 'timestamp' } : {}),
    ...(r.labels ? { labels: Uint8Array.from(r.labels) } : {}),
    source: { file: s.source.file, lines: Uint32Array.from(r.lines) },
  };
}

function pick(r: Rows, order: readonly number[]): Rows {
  return {
    ...(r.times ? { times: order.map((i) => r.times![i]!) } : {}),
    ...(r.timestamps ? { timestamps: order.map((i) => r.timestamps![i]!) } : {}),
    values: order.map((i) => r.values[i]!),
    ...(r.labels ? { labels: order.map((i) => r.labels![i]!) } : {}),
    lines: order.map((i) => r.lines[i]!),
  };
}

/** Timestamps as numbers (ms since 1970 UTC for dates, ISO or epoch), or undefined when they are text. */
function timesIn(column: TimeColumn): number[] | undefined {
  return column.kind === 'iso' || column.kind === 'epoch' ? [...column.ms] : column.kind === 'number' ? [...column.values] : undefined;
}

function sortByTime(r: Rows, file: string, order: 'sort' | 'error', notes: string[]): Rows {
  const times = r.times!;
  const back = times.findIndex((v, i) => i > 0 && v < times[i - 1]!);
  if (back < 0) return r;
  const where = `${file}:${r.lines[back]}`;
  const text = `timestamp '${r.timestamps![back]}' is earlier than the row before it ('${r.timestamps![back - 1]}')`;
  if (order === 'error') throw new InputError(`${where}: ${text} (leave out --order error to sort the rows by time)`);
  const backwards = times.filter((v, i) => i > 0 && v < times[i - 1]!).length;
  notes.push(`${where}: ${text}; ${backwards} row(s) go back in time, so the rows were sorted by time`);
  const indices = times.map((_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
  return pick(r, indices);
}

function mergeDuplicates(r: Rows, file: string, mode: 'mean' | 'keep', notes: string[]): Rows {
  const times = r.times!;
  const first = times.findIndex((v, i) => i > 0 && v === times[i - 1]);
  if (first < 0) return r;
  const count = times.filter((v, i) => i > 0 && v === times[i - 1]).length;
  const where = `${file}:${r.lines[first]}`;
  if (mode === 'keep') {
    notes.push(`${where}: timestamp '${r.timestamps![first]}' repeats the row before it; ${count} duplicate row(s) kept as they are`);
    return r;
  }
  notes.push(`${where}: timestamp '${r.timestamps![first]}' repeats the row before it; ${count} duplicate row(s) merged (values averaged, labelled if any was)`);
  const out: Rows = { times: [], ...(r.timestamps ? { timestamps: [] } : {}), values: [], ...(r.labels ? { labels: [] } : {}), lines: [] };
  for (let i = 0; i < times.length; ) {
    let j = i + 1;
    while (j < times.length && times[j] === times[i]) j++;
    const group = r.values.slice(i, j);
    out.times!.push(times[i]!);
    out.timestamps?.push(r.timestamps![i]!);
    out.values.push(group[0]!.map((_, c) => group.reduce((a, v) => a + v[c]!, 0) / group.length));
    // some(), not Math.max(...): a run of 200,000 equal timestamps would overflow the call stack.
    out.labels?.push(r.labels!.slice(i, j).some((l) => l === 1) ? 1 : 0);
    out.lines.push(r.lines[i]!);
    i = j;
  }
  return out;
}

function reportGaps(r: Rows, file: string, column: TimeColumn, resample: boolean, notes: string[]): void {
  const times = r.times!;
  const step = usualStep(times);
  if (!(step > 0)) return;
  let largest = 0;
  let at = -1;
  let gaps = 0;
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > GAP_FACTOR * step) gaps++;
    if (d > largest) [largest, at] = [d, i];
  }
  if (gaps === 0) return;
  notes.push(
    `${file}:${r.lines[at]}: ${gaps} gap(s) in the timestamps; the largest, ${(largest / step).toFixed(1)} usual steps, ends at '${r.timestamps![at]}'${column.kind === 'epoch' ? ` (${utcText(times[at]!)} UTC)` : ''}` +
      (resample ? '; resampled to a regular grid' : ' (--resample puts the series on a regular grid)'),
  );
}

function resampleRows(r: Rows, file: string, column: TimeColumn): Rows {
  const times = r.times!;
  const step = usualStep(times);
  if (!(step > 0)) return r;
  const points = Math.floor((times[times.length - 1]! - times[0]!) / step) + 1;
  if (points > 10 * times.length) {
    throw new InputError(`${file}: resampling at the usual step would make ${points} points out of ${times.length} rows; a timestamp is probably wrong`);
  }
  const out: Rows = { times: [], timestamps: [], values: [], ...(r.labels ? { labels: [] } : {}), lines: [] };
  let j = 0;
  for (let time = times[0]!; time <= times[times.length - 1]! + 1e-9 * step; time += step) {
    while (j + 1 < times.length && times[j + 1]! <= time) j++;
    const k = Math.min(j + 1, times.length - 1);
    const span = times[k]! - times[j]!;
    const w = span > 0 ? (time - times[j]!) / span : 0;
    const nearest = w <= 0.5 ? j : k;
    out.times!.push(time);
    out.timestamps!.push(formatTimeAs(column, time));
    out.values.push(r.values[j]!.map((v, c) => v + w * (r.values[k]![c]! - v)));
    out.labels?.push(r.labels![nearest]!);
    out.lines.push(r.lines[nearest]!);
  }
  return out;
}

/**
 * xs with each NaN replaced linearly between the nearest finite values before and after it
 * (the nearest one at the ends); undefined when none is finite.
 */
function filledLinearly(xs: readonly number[]): number[] | undefined {
  const known = xs.flatMap((x, i) => (Number.isFinite(x) ? [i] : []));
  if (known.length === 0) return undefined;
  const out = [...xs];
  let k = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isFinite(xs[i]!)) continue;
    while (k + 1 < known.length && known[k + 1]! < i) k++;
    const before = known[k]! < i ? known[k]! : undefined;
    const after = before === undefined ? known[k] : known[k + 1];
    const at = (x: number) => xs[x]!;
    out[i] = before === undefined ? at(after!) : after === undefined ? at(before) : at(before) + ((i - before) / (after - before)) * (at(after) - at(before));
  }
  return out;
}

type MissingMode = 'error' | 'skip' | 'interpolate';

/**
 * What --missing does with the rows `missing` marks (each lacks a `what`): refuse at the first,
 * leave them out, or hand them to `fill` (which writes its own note, saying how it filled them).
 */
function handleMissingRows(r: Rows, file: string, mode: MissingMode, missing: readonly boolean[], what: string, notes: string[], fill: (where: string, count: number) => Rows): Rows {
  const first = missing.indexOf(true);
  if (first < 0) return r;
  const count = missing.filter(Boolean).length;
  const where = `${file}:${r.lines[first]}`;
  if (mode === 'error') throw new InputError(`${where}: missing ${what} (--missing skip or interpolate accepts missing ${what}s)`);
  if (mode === 'skip') {
    notes.push(`${where}: ${count} row(s) with a missing ${what} left out (--missing skip)`);
    return pick(r, missing.flatMap((m, i) => (m ? [] : [i])));
  }
  return fill(where, count);
}

/** Rows whose timestamp is missing (NaN: decodeSeriesCsv read it with --missing skip or interpolate): left out, or given a time between their neighbours'. */
function handleMissingTimes(r: Rows, file: string, mode: MissingMode, column: TimeColumn, notes: string[]): Rows {
  const times = r.times!;
  return handleMissingRows(r, file, mode, times.map(Number.isNaN), 'timestamp', notes, (where, count) => {
    const filled = filledLinearly(times);
    if (!filled) throw new InputError(`${file}: the timestamp column holds no time at all`);
    // Dates are read to the millisecond; a filled date is too.
    const filledTimes = column.kind === 'number' ? filled : filled.map(Math.round);
    notes.push(`${where}: ${count} row(s) with a missing timestamp given one linearly between their neighbours' (--missing interpolate)`);
    return { ...r, times: filledTimes, timestamps: r.timestamps!.map((t, i) => (Number.isNaN(times[i]!) ? formatTimeAs(column, filledTimes[i]!) : t)) };
  });
}

function handleMissing(r: Rows, file: string, mode: MissingMode, notes: string[]): Rows {
  const missing = r.values.map((v) => v.some((x) => !Number.isFinite(x)));
  return handleMissingRows(r, file, mode, missing, 'value', notes, (where, count) => {
    const C = r.values[0]!.length;
    const values = r.values.map((v) => [...v]);
    for (let c = 0; c < C; c++) {
      const filled = filledLinearly(r.values.map((v) => v[c]!));
      if (!filled) throw new InputError(`${file}: column ${c + 1} holds no value at all`);
      filled.forEach((x, i) => (values[i]![c] = x));
    }
    notes.push(`${where}: ${count} row(s) with a missing value filled by linear interpolation (--missing interpolate)`);
    return { ...r, values };
  });
}

/**
 * When the first timestamp is an ISO date or a number but a later one is not, the row where
 * the column stops being times (a corrupt row, a second format): the whole column is then read
 * as text, so the user is told which row did it.
 */
function textTimestampNote(series: SeriesTable): string | undefined {
  const timestamps = series.timestamps!;
  const numeric = (t: string) => DECIMAL_NUMBER.test(t) && Number.isFinite(Number(t));
  const kind = numeric(timestamps[0]!) ? 'a number' : parseIsoTimestamp(timestamps[0]!) !== undefined ? 'an ISO-8601 date' : undefined;
  if (!kind) return undefined;
  const bad = timestamps.findIndex((t) => (kind === 'a number' ? !numeric(t) : parseIsoTimestamp(t) === undefined));
  if (bad < 0) return undefined;
  return (
    `${series.source.file}:${series.source.lines[bad]}: timestamp '${clipText(timestamps[bad]!)}' is not ${kind} as the first row's ('${clipText(timestamps[0]!)}') is; ` +
    'the timestamps are read as text: rows are not sorted, merged or checked for gaps, and a chart counts steps'
  );
}

/** Applies the repairs in the file comment, in that order, after missing values. */
export function cleanSeries(series: SeriesTable, options: CleanOptions = {}): CleanedSeries {
  const notes: string[] = series.timestampNote ? [series.timestampNote] : [];
  const file = series.source.file;
  const column = timeColumnOfSeries(series);
  const times = column ? timesIn(column) : undefined;
  if (series.timestamps && !times) {
    const note = textTimestampNote(series);
    if (note) notes.push(note);
  }
  let rows = toRows(series, times);
  if (rows.times) rows = handleMissingTimes(rows, file, options.missing ?? 'error', column!, notes);
  rows = handleMissing(rows, file, options.missing ?? 'error', notes);
  if (rows.times) {
    rows = sortByTime(rows, file, options.order ?? 'sort', notes);
    rows = mergeDuplicates(rows, file, options.duplicates ?? 'mean', notes);
    reportGaps(rows, file, column!, options.resample ?? false, notes);
    if (options.resample) rows = resampleRows(rows, file, column!);
  } else if (options.resample) {
    throw new InputError(`${file}: --resample needs a timestamp column of ISO dates or numbers`);
  }
  if (rows.values.length === 0) throw new InputError(`${file}: no row is left after leaving out missing values`);
  return { series: fromRows(series, rows, column), notes };
}
