// The timestamp column found by its content when no column has a time-like name (issue 13):
// generated series (fast-check, seeded: a failure prints its seed and the shrunk case) write
// their times as ISO dates or Unix epoch s, ms, µs or ns under a name that is not time-like, at
// any place among the value columns; the reader must pick that column, say so in one note, and
// give the same cleaned series as the file with the column named 'timestamp'. Columns that are
// not dates (step indices, shuffled epoch-size values, measurements) are never picked; two date
// columns are refused. Expected times come from Date.UTC and BigInt, not from the reader.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf, start, write, type Form } from './timestamp-forms.js';
import { cleanSeries } from '../../src/io/series-clean.js';
import { decodeSeriesCsv } from '../../src/io/series.js';

const FORM_NAME: Record<Form, string> = { iso: 'ISO-8601 dates', s: 'Unix epoch seconds', ms: 'Unix epoch milliseconds', us: 'Unix epoch microseconds', ns: 'Unix epoch nanoseconds' };
const NAMES = 'no column is named as a timestamp (timestamp, time, date, datetime, t)';
/** CSV text from named columns of cells (all of one length). */
const table = (columns: readonly (readonly [string, readonly string[]])[]) =>
  columns.map(([name]) => name).join(',') + '\n' + columns[0]![1].map((_, r) => columns.map(([, cells]) => cells[r]).join(',')).join('\n') + '\n';

const form = fc.constantFrom<Form>('iso', 's', 'ms', 'us', 'ns');

describe('the timestamp column found by content', () => {
  it('picks the one dated column under any name and place, with one note, and cleans as if it were named timestamp', () => {
    const series = fc.record({
      start,
      step: fc.constantFrom(60_000, 300_000, 3_600_000),
      form,
      name: fc.constantFrom('when', 'ts_utc', 'Zeit', 'stamp', 'recorded'),
      values: fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 3, maxLength: 40 }),
      channels: fc.integer({ min: 1, max: 3 }),
      place: fc.nat(),
      newestFirst: fc.boolean(),
      labelled: fc.boolean(),
    });
    fc.assert(
      fc.property(series, ({ start: t0, step, form: f, name, values, channels, place, newestFirst, labelled }) => {
        const rows = values.map((_, i) => (newestFirst ? values.length - 1 - i : i));
        const times = rows.map((i) => write(t0 + i * step, f));
        const valueColumns = Array.from({ length: channels }, (_, c) => [`v${c}`, rows.map((i) => String(values[i]! * (c + 1) / 4))] as const);
        const at = place % (channels + 1);
        const columns = [...valueColumns.slice(0, at), [name, times] as const, ...valueColumns.slice(at), ...(labelled ? [['label', rows.map((i) => String(i % 3 === 0 ? 1 : 0))] as const] : [])];
        const found = decodeSeriesCsv(table(columns), 'c.csv');
        expect(found.timestampColumn).toBe(name);
        expect(found.timestamps).toEqual(times);
        expect(found.channels).toEqual(valueColumns.map(([n]) => n));
        const note = `c.csv:1: ${NAMES}; column '${name}' holds ${FORM_NAME[f]} and is read as the timestamps (--timestamp-column '' reads none)`;
        const cleaned = cleanSeries(found);
        const asNamed = cleanSeries(decodeSeriesCsv(table(columns.map(([n, cells]) => [n === name ? 'timestamp' : n, cells] as const)), 'c.csv'));
        expect(cleaned.notes).toEqual([note, ...asNamed.notes]);
        expect({ ...cleaned.series, timestampColumn: 'timestamp' }).toEqual(asNamed.series);
      }),
      { seed: 53, numRuns: 60 },
    );
  });

  it('never picks step indices, shuffled epoch-size values or measurements', () => {
    const notDates = fc.oneof(
      fc.record({ from: fc.integer({ min: 0, max: 50_000_000 }), step: fc.integer({ min: 1, max: 1000 }), length: fc.integer({ min: 2, max: 60 }) }).map(({ from, step, length }) => Array.from({ length }, (_, i) => String(from + i * step))),
      fc
        .tuple(fc.shuffledSubarray(Array.from({ length: 30 }, (_, i) => Date.UTC(2015, 0, 1) + 300_000 * i), { minLength: 10 }), form.filter((f) => f !== 'iso'))
        .filter(([cells]) => {
          const ups = cells.filter((v, i) => i > 0 && v > cells[i - 1]!).length;
          return ups >= 2 && ups <= cells.length - 3;
        })
        .map(([cells, f]) => cells.map((ms) => write(ms, f))),
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 60 }).map((xs) => xs.map(String)),
    );
    fc.assert(
      fc.property(notDates, (cells) => {
        const text = table([['a', cells], ['b', cells.map((_, i) => String(i % 7))]]);
        const series = decodeSeriesCsv(text, 'n.csv');
        expect(series.timestampColumn).toBeUndefined();
        expect(series.timestampNote).toBeUndefined();
        expect(series.channels).toEqual(['a', 'b']);
      }),
      { seed: 59, numRuns: 100 },
    );
  });

  it('refuses two dated columns, naming both; takes neither when told there is none, nor a series\' only value column', () => {
    const iso = ['2015-01-01 00:00:00', '2015-01-01 00:05:00', '2015-01-01 00:10:00'];
    const epoch = ['1420070400', '1420070700', '1420071000'];
    expect(errorOf(() => decodeSeriesCsv(table([['start', iso], ['end', epoch], ['v', ['1', '2', '3']]]), 'two.csv'))).toBe(
      `two.csv:1: ${NAMES}, and 2 columns hold dates: 'start' (ISO-8601 dates), 'end' (Unix epoch seconds); name the timestamp column with --timestamp-column ('' for none)`,
    );
    expect(decodeSeriesCsv(table([['start', iso], ['end', epoch], ['v', ['1', '2', '3']]]), 'two.csv', { timestampColumn: 'start' }).channels).toEqual(['end', 'v']);
    expect(decodeSeriesCsv(table([['end', epoch], ['v', ['1', '2', '3']]]), 'none.csv', { timestampColumn: '' }).channels).toEqual(['end', 'v']);
    expect(decodeSeriesCsv(table([['count', epoch]]), 'one.csv').channels).toEqual(['count']);
    // With the value columns named, the one other column may be the timestamps.
    expect(decodeSeriesCsv(table([['end', epoch], ['v', ['1', '2', '3']]]), 'v.csv', { valueColumns: ['v'] }).timestampColumn).toBe('end');
  });

  it('refuses a malformed cell of a column found by content as one found by name: file:line:column', () => {
    const cells = ['1420070400000000000', '1420070460000000000', '14200705200000000x0', '1420070580000000000'];
    expect(errorOf(() => decodeSeriesCsv(table([['v', ['1', '2', '3', '4']], ['recorded', cells]]), 'm.csv'))).toBe(
      "m.csv:4:3: timestamp '14200705200000000x0' in column 'recorded' is not a number: the column holds Unix epoch nanoseconds (315532800000000000 to 4102444800000000000: 1980 to 2100)",
    );
  });
});
