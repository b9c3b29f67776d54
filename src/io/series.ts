/**
 * io: a time series from CSV text. A header row names the columns; a timestamp column and a
 * 0/1 label column are optional, every other column (or the ones asked for) holds values, so
 * several value columns make a multivariate series. Decoding is pure; readSeries adds the file.
 * Every bad cell is reported as file:line:column with the offending text.
 */
import { clipText, InputError } from '../errors.js';
import { readText } from './fs.js';
import { DECIMAL_NUMBER, isMissingText } from './number-text.js';
import { datedContent, datedContentName, readTimeColumn, type EpochUnit, type TimeColumn } from './time-column.js';

export { parseIsoTimestamp, timeAxisOf, type TimeAxis, type TimeStepBack } from './time-column.js';

/** A decoded series: `values` is [length, channels] row-major. */
export interface SeriesTable {
  /** Value column names, in file order (or the order asked for). */
  readonly channels: readonly string[];
  readonly values: Float64Array;
  readonly length: number;
  readonly timestamps?: readonly string[];
  /** The timestamp column read once, when the series is decoded (time-column.ts): present with `timestamps`, which later stages read it from. */
  readonly time?: TimeColumn;
  /** The timestamp column's name, when there is one. */
  readonly timestampColumn?: string;
  /** When the timestamp column was found by its content (no column has a time-like name): the warning saying which. */
  readonly timestampNote?: string;
  /** 1 where the row is labelled anomalous. */
  readonly labels?: Uint8Array;
  /** Where each row came from, for messages that point into the file. */
  readonly source: { readonly file: string; readonly lines: Uint32Array };
}

export interface SeriesColumns {
  /** Value columns to read (default: every column that is not the timestamp or the label). */
  readonly valueColumns?: readonly string[];
  /**
   * Timestamp column (default: a column named timestamp, time, date, datetime or t; without one,
   * the one column whose cells are dates, ISO or Unix epoch (time-column.ts, datedContent); '' for none).
   */
  readonly timestampColumn?: string;
  /** Label column (default: a column named label, anomaly or is_anomaly, if any; '' for none). */
  readonly labelColumn?: string;
  /** A missing value or timestamp (an empty cell, NaN, NA, null): 'error' (default) names its line; otherwise it is read as NaN for cleanSeries to handle. */
  readonly missing?: 'error' | 'skip' | 'interpolate';
}

/** The largest |value| read: squares and sums of squares of values up to this stay finite in float64. */
const MAX_VALUE = 1e150;

/** A decimal written with a comma (1,5): a spreadsheet's export in a European locale. */
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

/**
 * A value cell as a number (decimal notation only: Number() would also read '0x10' and '0b11');
 * a missing one as NaN unless `missing` is 'error'.
 */
function valueOf(field: Field, missing: 'error' | 'skip' | 'interpolate', where: string, column: string): number {
  const value = DECIMAL_NUMBER.test(field.text) ? Number(field.text) : Number.NaN;
  if (Math.abs(value) <= MAX_VALUE) return value;
  if (Number.isFinite(value)) throw new InputError(`${where}:${field.column}: '${clipText(field.text)}' in column '${column}' is too large: a detector squares values and their spread, so |value| must stay below 1e150`);
  const isMissing = isMissingText(field.text);
  if (isMissing && missing !== 'error') return Number.NaN;
  const what =
    field.text === '' ? 'empty value'
    : isMissing ? `missing value '${field.text}'`
    : DECIMAL_NUMBER.test(field.text) ? `'${clipText(field.text)}' is beyond the range of a 64-bit float`
    : `'${clipText(field.text)}' is not a number${DECIMAL_COMMA.test(field.text) ? ` (a decimal comma? write ${field.text.replace(',', '.')})` : ''}`;
  throw new InputError(`${where}:${field.column}: ${what} in column '${column}'${isMissing ? ' (--missing skip or interpolate accepts missing values)' : ''}`);
}

const TIMESTAMP_NAMES = ['timestamp', 'time', 'date', 'datetime', 't'];
const LABEL_NAMES = ['label', 'anomaly', 'is_anomaly', 'labels'];

interface Field {
  readonly text: string;
  /** 1-based column of the field's first character. */
  readonly column: number;
}

/** Splits one CSV line (RFC 4180 quotes, "" inside quotes) into fields with their columns. */
function splitLine(line: string, delimiter: string, file: string, lineNumber: number): Field[] {
  const fields: Field[] = [];
  let i = 0;
  for (;;) {
    const start = i;
    let text = '';
    // Spaces before an opening quote (`a, "b"`) are not part of the field.
    let quote = i;
    while (line[quote] === ' ') quote++;
    if (line[quote] === '"') {
      i = quote;
      i++;
      for (;;) {
        if (i >= line.length) throw new InputError(`${file}:${lineNumber}:${start + 1}: unterminated quoted field`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            text += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += line[i++];
      }
      while (line[i] === ' ' && delimiter !== ' ') i++;
      if (i < line.length && line[i] !== delimiter) throw new InputError(`${file}:${lineNumber}:${i + 1}: unexpected text after a quoted field`);
    } else {
      const end = line.indexOf(delimiter, i);
      text = end < 0 ? line.slice(i) : line.slice(i, end);
      i = end < 0 ? line.length : end;
    }
    fields.push({ text: text.trim(), column: start + 1 });
    if (i >= line.length) return fields;
    i++; // the delimiter
  }
}

function findColumn(header: readonly string[], wanted: string | undefined, defaults: readonly string[]): number | undefined {
  if (wanted === '') return undefined;
  if (wanted !== undefined) return header.indexOf(wanted);
  const index = header.findIndex((name) => defaults.includes(name.toLowerCase()));
  return index >= 0 ? index : undefined;
}

/** A data line split into its fields once, or the error splitting it raised (thrown when the main pass reaches it). */
interface DataRow {
  readonly lineNumber: number;
  readonly fields?: Field[];
  readonly error?: unknown;
}

/** The data lines after the header (blank lines and # comments skipped), each split once. */
function dataRows(lines: readonly string[], headerIndex: number, delimiter: string, file: string): DataRow[] {
  const rows: DataRow[] = [];
  for (let l = headerIndex + 1; l < lines.length; l++) {
    const line = lines[l]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    try {
      rows.push({ lineNumber: l + 1, fields: splitLine(line, delimiter, file, l + 1) });
    } catch (error) {
      rows.push({ lineNumber: l + 1, error });
    }
  }
  return rows;
}

/**
 * With no time-like column name: the one column (not the label, not a named value column) whose
 * cells are dates by their content, with the note naming it; refused when several are. A
 * series' only value column is never taken (a counter of epoch size is still a series).
 */
function timestampByContent(rows: readonly DataRow[], at: { header: readonly string[]; headerIndex: number; file: string }, columns: SeriesColumns, labelIndex: number | undefined): { index: number; kind: 'iso' | EpochUnit; note: string } | undefined {
  const { header, headerIndex, file } = at;
  const named = columns.valueColumns ?? [];
  const open = header.map((_, i) => i).filter((i) => i !== labelIndex && !named.includes(header[i]!));
  if (open.length < (named.length > 0 ? 1 : 2)) return undefined;
  // Rows that do not split are skipped here; the main pass reports them.
  const cellsOf = (index: number) => rows.flatMap((row) => (row.fields ? [row.fields[index]?.text ?? ''] : []));
  const dated = open.map((index) => ({ index, kind: datedContent(cellsOf(index)) })).filter((c) => c.kind !== undefined);
  const where = `${file}:${headerIndex + 1}`;
  const names = `no column is named as a timestamp (${TIMESTAMP_NAMES.join(', ')})`;
  if (dated.length > 1) {
    const list = dated.map((c) => `'${header[c.index]}' (${datedContentName(c.kind!)})`).join(', ');
    throw new InputError(`${where}: ${names}, and ${dated.length} columns hold dates: ${list}; name the timestamp column with --timestamp-column ('' for none)`);
  }
  const found = dated[0];
  if (!found) return undefined;
  return { index: found.index, kind: found.kind!, note: `${where}: ${names}; column '${header[found.index]}' holds ${datedContentName(found.kind!)} and is read as the timestamps (--timestamp-column '' reads none)` };
}

function missingColumn(file: string, line: number, what: string, name: string, header: readonly string[]): InputError {
  return new InputError(`${file}:${line}: no ${what} column '${name}' (the header has: ${header.map((h) => `'${h}'`).join(', ')})`);
}

/** Decodes CSV text into a series, or throws an InputError that names file:line:column. */
export function decodeSeriesCsv(text: string, file: string, columns: SeriesColumns = {}): SeriesTable {
  // Spreadsheet exports often start with a byte-order mark; it is not part of the first column's
  // name. Lines end in LF, CRLF or (old Mac exports) a lone CR.
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const headerIndex = lines.findIndex((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (headerIndex < 0) throw new InputError(`${file}: empty file (expected a header row, then one row per time step)`);
  const headerLine = lines[headerIndex]!;
  const delimiter = headerLine.includes('\t') && !headerLine.includes(',') ? '\t' : headerLine.includes(';') && !headerLine.includes(',') ? ';' : ',';
  const headerFields = splitLine(headerLine, delimiter, file, headerIndex + 1);
  const header = headerFields.map((f) => f.text);
  const headerLineNumber = headerIndex + 1;
  const unnamed = headerFields.findIndex((f) => f.text === '');
  if (unnamed >= 0) {
    const trailing = unnamed === header.length - 1 ? ' (a delimiter at the end of the line?)' : '';
    throw new InputError(`${file}:${headerLineNumber}:${headerFields[unnamed]!.column}: column ${unnamed + 1} of the header has no name${trailing}`);
  }

  const named = findColumn(header, columns.timestampColumn, TIMESTAMP_NAMES);
  if (named === -1) throw missingColumn(file, headerLineNumber, 'timestamp', columns.timestampColumn!, header);
  const labelIndex = findColumn(header, columns.labelColumn, LABEL_NAMES);
  if (labelIndex === -1) throw missingColumn(file, headerLineNumber, 'label', columns.labelColumn!, header);
  const rows = dataRows(lines, headerIndex, delimiter, file);
  const byContent = named === undefined && columns.timestampColumn === undefined ? timestampByContent(rows, { header, headerIndex, file }, columns, labelIndex) : undefined;
  const timestampIndex = named ?? byContent?.index;
  let valueIndices: number[];
  if (columns.valueColumns && columns.valueColumns.length > 0) {
    valueIndices = columns.valueColumns.map((name) => {
      const index = header.indexOf(name);
      if (index < 0) throw missingColumn(file, headerLineNumber, 'value', name, header);
      return index;
    });
  } else {
    valueIndices = header.map((_, i) => i).filter((i) => i !== timestampIndex && i !== labelIndex);
  }
  if (valueIndices.length === 0) throw new InputError(`${file}:${headerLineNumber}: no value column (the header has only ${header.map((h) => `'${h}'`).join(', ')})`);
  const duplicate = header.find((name, i) => header.indexOf(name) !== i);
  if (duplicate !== undefined) throw new InputError(`${file}:${headerLineNumber}: column '${duplicate}' appears twice in the header`);

  const channels = valueIndices.map((i) => header[i]!);
  const values: number[] = [];
  const timestamps: string[] = [];
  const timestampColumns: number[] = [];
  const labels: number[] = [];
  const rowLines: number[] = [];
  for (const row of rows) {
    if (row.error !== undefined) throw row.error;
    const { lineNumber } = row;
    const fields = row.fields!;
    if (fields.length !== header.length) {
      throw new InputError(`${file}:${lineNumber}: ${fields.length} fields, expected ${header.length} as in the header (${header.join(', ')})`);
    }
    for (const index of valueIndices) values.push(valueOf(fields[index]!, columns.missing ?? 'error', `${file}:${lineNumber}`, header[index]!));
    if (timestampIndex !== undefined) {
      timestamps.push(fields[timestampIndex]!.text);
      timestampColumns.push(fields[timestampIndex]!.column);
    }
    if (labelIndex !== undefined) {
      const field = fields[labelIndex]!;
      const lower = field.text.toLowerCase();
      const numeric = field.text === '' ? Number.NaN : Number(field.text);
      const label = numeric === 1 || lower === 'true' ? 1 : numeric === 0 || lower === 'false' ? 0 : -1;
      if (label < 0) throw new InputError(`${file}:${lineNumber}:${field.column}: label '${clipText(field.text)}' in column '${header[labelIndex]}' must be 0 or 1`);
      labels.push(label);
    }
    rowLines.push(lineNumber);
  }
  if (rowLines.length === 0) throw new InputError(`${file}:${headerLineNumber}: the header is followed by no data rows`);
  // The timestamps are read once, here, where each cell's column is known (time-column.ts); a column found by content keeps the kind it was found as.
  const place = { column: header[timestampIndex ?? 0]!, where: (row: number) => `${file}:${rowLines[row]}:${timestampColumns[row]}` };
  const time = timestampIndex !== undefined ? readTimeColumn(timestamps, place, columns.missing ?? 'error', byContent?.kind) : undefined;
  return {
    channels,
    values: Float64Array.from(values),
    length: rowLines.length,
    ...(time ? { timestamps, time, timestampColumn: header[timestampIndex!]! } : {}),
    ...(byContent ? { timestampNote: byContent.note } : {}),
    ...(labelIndex !== undefined ? { labels: Uint8Array.from(labels) } : {}),
    source: { file, lines: Uint32Array.from(rowLines) },
  };
}

/** Reads and decodes a series CSV file. */
export function readSeries(path: string, columns: SeriesColumns = {}): SeriesTable {
  return decodeSeriesCsv(readText(path, 'series file', 'series'), path, columns);
}

