/**
 * io: what a series' timestamp column holds, decided in one place for every consumer (the
 * repairs of series-clean.ts, the time step the seasonal period prefers, the chart's time axis,
 * NAB's windows). ISO-8601 dates and Unix epoch seconds, milliseconds, microseconds or
 * nanoseconds are dates (times in ms since 1970 UTC); other plain numbers keep their own unit;
 * anything else is text.
 *
 * The epoch rule. Only the timestamp column is examined (chosen by name, by content when no
 * column has a time-like name (series.ts), or --timestamp-column). It holds epoch seconds when
 * more than half of its cells are decimal numbers from 1980-01-01 to 2100-01-01 in seconds
 * (315,532,800 to 4,102,444,800; decimals allowed, read to the millisecond), and those cells
 * run one way (at least 90% of their nonzero steps up, or 90% down: an export may list the
 * newest row first, and series-clean sorts it); milliseconds, microseconds and nanoseconds
 * likewise with the same dates in that unit (3.2e11 to 4.1e12, 3.2e14 to 4.1e15, 3.2e17 to
 * 4.1e18). The span from 1980 to 2100 is a factor of 13 and the units are a factor of 1,000
 * apart, so the ranges never overlap and a unit is never a guess. A step index (0, 1, 2, …) or
 * a count of hours stays a plain number: it would need 315 million rows to reach 1980 in
 * seconds.
 *
 * One rule for every kind. A column that is not epoch times holds ISO dates when more than half
 * of its cells are ISO-8601 dates, and plain numbers when more than half are decimal numbers;
 * otherwise it is text (a mix of formats, names of days), read as it is. The same rule picks a
 * timestamp column by its content (series.ts) and reads it, so a column is never chosen as
 * dates and then sorted as text. Once a column is of a kind, every cell must be a time of that
 * kind: a cell of text, an impossible date, or an epoch time of another size (a digit lost or
 * added) is refused naming file:line:column and the cell. A missing cell (empty, NaN, NA, null)
 * is refused too unless --missing says otherwise, as for a missing value: with skip or
 * interpolate it is read as NaN, and cleanSeries leaves its row out or fills its time linearly
 * between its neighbours' (the nearest at the ends).
 *
 * Why not dates before 1980: 1970-1980 in seconds (0 to 3.2e8) is where counters, identifiers
 * and uptimes in seconds live (a machine up for a year has counted 3.2e7), and those are far
 * more common in a metrics export than epoch times of the 1970s, which a historical series
 * would write as dates; so they stay plain numbers (still sorted and checked for gaps as
 * numbers). The bound does not keep every counter out: a nanosecond uptime of 4 to 47 days
 * lies in the microsecond range (--timestamp-column '' drops such a column).
 *
 * Times are read to the millisecond, as ISO fractions are: the detector's time step, gaps and
 * resampling are in ms. A microsecond or nanosecond column whose consecutive times fall in the
 * same millisecond is refused (naming the line) rather than merged as duplicates.
 */
import { clipText, InputError } from '../errors.js';
import { DECIMAL_NUMBER, isMissingText } from './number-text.js';

/** Epoch times are read from 1980-01-01 to 2100-01-01 UTC (ms). */
export const EPOCH_FROM_MS = Date.UTC(1980, 0, 1);
export const EPOCH_TO_MS = Date.UTC(2100, 0, 1);

/** At least this share of an epoch column's nonzero steps run the same way. */
const MONOTONE_SHARE = 0.9;

export type EpochUnit = 's' | 'ms' | 'us' | 'ns';
const EPOCH_UNITS: readonly EpochUnit[] = ['s', 'ms', 'us', 'ns'];
/** Decimal digits a unit has below (negative: above) the millisecond. */
const DIGITS_BELOW_MS: Record<EpochUnit, number> = { s: -3, ms: 0, us: 3, ns: 6 };
const UNIT_NAME: Record<EpochUnit, string> = { s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds' };
/** A time in ms expressed in `unit` (exact for whole ms of 1980-2100: their ns are multiples of 2^11 below 2^62). */
const msInUnit = (ms: number, unit: EpochUnit) => (DIGITS_BELOW_MS[unit] < 0 ? ms / 10 ** -DIGITS_BELOW_MS[unit] : ms * 10 ** DIGITS_BELOW_MS[unit]);
/** Each unit's range, [1980, 2100) in that unit. */
const RANGE = Object.fromEntries(EPOCH_UNITS.map((unit) => [unit, [msInUnit(EPOCH_FROM_MS, unit), msInUnit(EPOCH_TO_MS, unit)] as const])) as Record<EpochUnit, readonly [number, number]>;

/** A timestamp column: dates (ISO or epoch) as ms since 1970 UTC, plain numbers as they are, or text. */
export type TimeColumn =
  | { readonly kind: 'iso'; readonly ms: readonly number[]; readonly hasTime: boolean }
  | { readonly kind: 'epoch'; readonly unit: EpochUnit; readonly ms: readonly number[] }
  | { readonly kind: 'number'; readonly values: readonly number[] }
  | { readonly kind: 'text' };

export interface TimeColumnPlace {
  /** The column's name, for messages. */
  readonly column?: string;
  /** Where row `row` (0-based) is, for messages: `file:line:col` or `file:line`. */
  readonly where?: (row: number) => string;
}

const inUnit = (value: number, unit: EpochUnit) => value >= RANGE[unit][0] && value < RANGE[unit][1];
const numberIn = (text: string) => (DECIMAL_NUMBER.test(text) ? Number(text) : Number.NaN);

/**
 * An epoch cell of `unit` in ms since 1970, rounded to the ms. A whole number of µs or ns is cut
 * in its text (nanoseconds of today exceed 2^53, where float64 no longer holds every integer);
 * halves round up, as Math.round does.
 */
function epochMs(text: string, unit: EpochUnit): number {
  const below = DIGITS_BELOW_MS[unit];
  if (below > 0 && /^\+?\d+$/.test(text)) {
    const digits = text.replace(/^\+/, '');
    return Number(digits.slice(0, -below)) + (Number(digits.slice(-below)) >= 5 * 10 ** (below - 1) ? 1 : 0);
  }
  // Rounded to the ms: 1420070400.1 * 1000 is 1420070400100.0002 in float64.
  return Math.round(below < 0 ? Number(text) * 10 ** -below : Number(text) / 10 ** below);
}

function runsOneWay(values: readonly number[]): boolean {
  let up = 0;
  let down = 0;
  for (let i = 1; i < values.length; i++) {
    if (values[i]! > values[i - 1]!) up++;
    else if (values[i]! < values[i - 1]!) down++;
  }
  return Math.max(up, down) >= MONOTONE_SHARE * (up + down);
}

/** The epoch unit of a column by the rule in the file comment, or undefined when it is not epoch times. */
export function epochUnitOf(timestamps: readonly string[]): EpochUnit | undefined {
  const numbers = timestamps.map(numberIn);
  for (const unit of EPOCH_UNITS) {
    const dated = numbers.filter((v) => inUnit(v, unit));
    if (2 * dated.length > timestamps.length && runsOneWay(dated)) return unit;
  }
  return undefined;
}

/** What a timestamp column holds by the one rule of the file comment. */
export type TimeKind = 'iso' | EpochUnit | 'number' | 'text';

/** How a missing timestamp (an empty cell, NaN, NA, null) is taken: as series.ts takes a missing value (--missing). */
export type MissingTimes = 'error' | 'skip' | 'interpolate';

const isNumberCell = (text: string) => DECIMAL_NUMBER.test(text);

/** The rule (file comment), with the ISO times already parsed when the column is ISO. */
function classify(cells: readonly string[]): { kind: TimeKind; iso?: readonly (number | undefined)[] } {
  if (cells.length === 0) return { kind: 'text' };
  const unit = epochUnitOf(cells);
  if (unit) return { kind: unit };
  const iso = cells.map(parseIsoTimestamp);
  if (2 * iso.filter((t) => t !== undefined).length > cells.length) return { kind: 'iso', iso };
  if (2 * cells.filter(isNumberCell).length > cells.length) return { kind: 'number' };
  return { kind: 'text' };
}

/** What a column holds by the one rule of the file comment (series.ts, cleanSeries and the chart all take it from here). */
export function timeKindOf(cells: readonly string[]): TimeKind {
  return classify(cells).kind;
}

/** What a kind of column holds, for messages. */
function kindName(kind: Exclude<TimeKind, 'text'>): string {
  if (kind === 'iso') return 'ISO-8601 dates (such as 2024-01-05 or 2024-01-05T10:00:00Z)';
  if (kind === 'number') return 'numbers';
  return `Unix epoch ${UNIT_NAME[kind]} (${RANGE[kind][0]} to ${RANGE[kind][1]}: 1980 to 2100)`;
}

/** A cell's time by the column's kind (ms for dates, the number itself for numbers), or undefined when the cell is not one. */
function cellTime(text: string, kind: Exclude<TimeKind, 'text'>): number | undefined {
  if (kind === 'iso') return parseIsoTimestamp(text);
  const value = numberIn(text);
  if (kind === 'number') return Number.isFinite(value) ? value : undefined;
  return inUnit(value, kind) ? epochMs(text, kind) : undefined;
}

/** Why a cell that is not a time of its column's kind is refused (file comment). */
function cellFault(text: string, kind: Exclude<TimeKind, 'text'>, column: string, missing: boolean): string {
  const expected = `the column holds ${kindName(kind)}`;
  if (missing) return `${text === '' ? 'empty timestamp' : `missing timestamp '${clipText(text)}'`} in column '${column}': ${expected} (--missing skip or interpolate accepts missing timestamps)`;
  const what = `timestamp '${clipText(text)}' in column '${column}'`;
  const value = numberIn(text);
  if (kind === 'iso') return `${what} is not an ISO-8601 date: ${expected}`;
  if (kind === 'number') return Number.isNaN(value) ? `${what} is not a number: ${expected}` : `${what} is beyond the range of a 64-bit float: ${expected}`;
  if (!Number.isFinite(value)) return `${what} is not a number: ${expected}`;
  const other = EPOCH_UNITS.find((u) => inUnit(value, u));
  return `${what} is out of range: ${expected}${other ? `, and this one looks like epoch ${UNIT_NAME[other]}` : ''}`;
}

/** The first row (after the first) whose distinct µs or ns time falls in the previous row's millisecond (file comment), or -1. */
function finerThanMs(timestamps: readonly string[], ms: readonly number[]): number {
  return ms.findIndex((t, i) => i > 0 && t === ms[i - 1] && !sameNumber(timestamps[i]!, timestamps[i - 1]!));
}

const WHOLE_NUMBER = /^[+-]?\d+$/;

/** Whether two cells hold the same number: whole numbers compared exactly (epoch ns of today exceed 2^53, where a float64 holds only every 256th). */
function sameNumber(a: string, b: string): boolean {
  return WHOLE_NUMBER.test(a) && WHOLE_NUMBER.test(b) ? BigInt(a) === BigInt(b) : numberIn(a) === numberIn(b);
}

/**
 * Whether a column's cells are dates by their content alone (series.ts looks for one when no
 * column has a time-like name): 'iso' or the epoch unit when the rule of the file comment reads
 * them as dates, otherwise undefined.
 */
export function datedContent(cells: readonly string[]): 'iso' | EpochUnit | undefined {
  const kind = timeKindOf(cells);
  return kind === 'number' || kind === 'text' ? undefined : kind;
}

/** What datedContent found, for messages: 'ISO-8601 dates', 'Unix epoch seconds', … */
export function datedContentName(kind: 'iso' | EpochUnit): string {
  return kind === 'iso' ? 'ISO-8601 dates' : `Unix epoch ${UNIT_NAME[kind]}`;
}

/**
 * Reads a timestamp column once (file comment): its kind by the rule (or `kind`, when the caller
 * has already applied it), then every cell as a time of that kind. A cell that is not is refused
 * naming `place`; a missing one too with `missing` 'error', and otherwise read as NaN for
 * cleanSeries to leave out or fill, as a missing value is.
 */
export function readTimeColumn(cells: readonly string[], place: TimeColumnPlace = {}, missing: MissingTimes = 'error', kind?: TimeKind): TimeColumn {
  const classified = kind === undefined ? classify(cells) : { kind };
  const found = classified.kind;
  if (found === 'text') return { kind: 'text' };
  const column = place.column ?? 'timestamp';
  const where = (row: number) => (place.where ? place.where(row) : `row ${row + 1}`);
  const times = new Array<number>(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const text = cells[i]!;
    const time = classified.iso ? classified.iso[i] : cellTime(text, found);
    if (time !== undefined) times[i] = time;
    else if (missing !== 'error' && isMissingText(text)) times[i] = Number.NaN;
    else throw new InputError(`${where(i)}: ${cellFault(text, found, column, isMissingText(text))}`);
  }
  if (found === 'iso') return { kind: 'iso', ms: times, hasTime: cells.some((t) => t.trim().length > 10) };
  if (found === 'number') return { kind: 'number', values: times };
  const same = DIGITS_BELOW_MS[found] > 0 ? finerThanMs(cells, times) : -1;
  if (same > 0) {
    throw new InputError(
      `${where(same)}: timestamp '${clipText(cells[same]!)}' in column '${column}' falls in the same millisecond as the one before it ('${clipText(cells[same - 1]!)}'): times are read to the millisecond, so a series sampled faster cannot keep its epoch ${UNIT_NAME[found]} (--timestamp-column '' reads it without timestamps)`,
    );
  }
  return { kind: 'epoch', unit: found, ms: times };
}

/** Classifies and reads a timestamp column (readTimeColumn, a missing cell refused). */
export function timeColumnOf(timestamps: readonly string[], place: TimeColumnPlace = {}): TimeColumn {
  return readTimeColumn(timestamps, place);
}

/**
 * A series' timestamp column: the one read when it was decoded (SeriesTable.time), or, for a
 * table built by hand without one, read from its cells now; undefined without timestamps.
 */
export function timeColumnOfSeries(series: {
  readonly timestamps?: readonly string[];
  readonly time?: TimeColumn;
  readonly timestampColumn?: string;
  readonly source: { readonly file: string; readonly lines: ArrayLike<number> };
}): TimeColumn | undefined {
  if (!series.timestamps) return undefined;
  const { file, lines } = series.source;
  return series.time ?? timeColumnOf(series.timestamps, { column: series.timestampColumn ?? 'timestamp', where: (row) => `${file}:${lines[row]}` });
}

/** A time in ms since 1970 as `2015-01-01 00:05:00` (UTC; milliseconds only when there are some). */
export function utcText(time: number): string {
  return new Date(time).toISOString().replace('T', ' ').replace('.000Z', '').replace('Z', '');
}

/** A time in ms as epoch text of `unit`: whole µs and ns by BigInt (ms × 10^6 of today exceeds 2^53). */
function epochText(time: number, unit: EpochUnit): string {
  const below = DIGITS_BELOW_MS[unit];
  if (below > 0 && Number.isInteger(time)) return String(BigInt(time) * 10n ** BigInt(below));
  return String(below < 0 ? time / 10 ** -below : time * 10 ** below);
}

/** A time in ms written back in a column's own form: ISO text, epoch time in the column's unit, or a plain number. */
export function formatTimeAs(column: TimeColumn, time: number): string {
  if (column.kind === 'iso') return utcText(time);
  if (column.kind === 'epoch') return epochText(time, column.unit);
  return String(time);
}

/**
 * The time step of a series whose timestamps are dates (ISO or epoch): the median interval in
 * milliseconds (undefined for plain numbers or text, whose unit is unknown, or fewer than two
 * rows). `time`: the series' column as read once (SeriesTable.time), or its cells. The detector's seasonal period prefers a day or a week at this step.
 */
export function timeStepOf(time: TimeColumn | readonly string[] | undefined): number | undefined {
  const column = time === undefined || 'kind' in time ? time : timeColumnOf(time);
  if (column?.kind !== 'iso' && column?.kind !== 'epoch') return undefined;
  const step = usualStep(column.ms);
  return step > 0 ? step : undefined;
}

/** The usual step: the median interval. */
export function usualStep(times: readonly number[]): number {
  const steps = times.slice(1).map((v, i) => v - times[i]!).sort((a, b) => a - b);
  return steps.length === 0 ? 0 : steps[Math.floor((steps.length - 1) / 2)]!;
}

/**
 * What a timestamp column holds, for the time axis of a chart: dates (ISO-8601 or Unix epoch,
 * as milliseconds since 1970 UTC; `epoch` names the unit they were written in), plain numbers,
 * or anything else (text, a mix of formats, an empty cell), which a chart replaces by the step index.
 */
export type TimeAxis =
  | { readonly kind: 'temporal'; readonly values: readonly number[]; readonly hasTime: boolean; readonly epoch?: EpochUnit; readonly backwards?: TimeStepBack }
  | { readonly kind: 'quantitative'; readonly values: readonly number[]; readonly backwards?: TimeStepBack }
  | { readonly kind: 'text' };

/** The first row whose timestamp is earlier than the one before it. */
export interface TimeStepBack {
  /** Row index (0-based, data rows only). */
  readonly index: number;
  readonly previous: string;
  readonly current: string;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * An ISO-8601 date (2024-01-05) or datetime (2024-01-05T10:00, 2024-01-05 10:00:00.5Z,
 * 2024-01-05T10:00:00+01:00) as milliseconds since 1970-01-01 UTC; undefined for anything
 * else, including impossible dates such as 2024-02-30. A datetime without an offset is read
 * as UTC, never as the machine's local time, so the result is the same everywhere.
 */
export function parseIsoTimestamp(text: string): number | undefined {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => (m[i] === undefined ? 0 : Number(m[i])));
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth(year!, month!)) return undefined;
  if (hour! > 23 || minute! > 59 || second! > 59) return undefined;
  const fraction = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000);
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear does not.
  const date = new Date(Date.UTC(2000, month! - 1, day!, hour!, minute!, second!, fraction));
  date.setUTCFullYear(year!);
  return date.getTime() - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * A timestamp column for a chart (`column`: the series' own, read once; classified here when
 * absent): dates → 'temporal' (values in ms since 1970 UTC), plain numbers → 'quantitative',
 * otherwise 'text'. When the times go backwards somewhere, `backwards` names the first such row.
 */
export function timeAxisOf(timestamps: readonly string[], column: TimeColumn = timeColumnOf(timestamps)): TimeAxis {
  const backwardsIn = (values: readonly number[]): { backwards?: TimeStepBack } => {
    const index = values.findIndex((v, i) => i > 0 && v < values[i - 1]!);
    return index > 0 ? { backwards: { index, previous: timestamps[index - 1]!, current: timestamps[index]! } } : {};
  };
  switch (column.kind) {
    case 'iso':
      return { kind: 'temporal', values: column.ms, hasTime: column.hasTime, ...backwardsIn(column.ms) };
    case 'epoch':
      return { kind: 'temporal', values: column.ms, hasTime: true, epoch: column.unit, ...backwardsIn(column.ms) };
    case 'number':
      return { kind: 'quantitative', values: column.values, ...backwardsIn(column.values) };
    case 'text':
      return { kind: 'text' };
  }
}
