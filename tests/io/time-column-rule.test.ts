// One rule for a timestamp column (time-column.ts): the rule that picks a column by its content
// is the rule that reads it, a bad cell of a column that is mostly times is refused naming
// file:line:column and the cell, and a missing one follows --missing as a missing value does.
// The column is read once, when the series is decoded, and cleanSeries carries it. Generated
// cases (fast-check, seeded: a failure prints its seed and the shrunk case); expected times come
// from Date.UTC and BigInt (timestamp-forms.ts), never from the reader under test.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf, start, write, type Form } from './timestamp-forms.js';
import { cleanSeries } from '../../src/io/series-clean.js';
import { decodeSeriesCsv, type SeriesColumns } from '../../src/io/series.js';
import { datedContent, readTimeColumn, timeColumnOf, timeKindOf, type TimeColumn } from '../../src/io/time-column.js';
import { InputError } from '../../src/errors.js';

type Kind = Form | 'number';
const KINDS: readonly Kind[] = ['iso', 's', 'ms', 'us', 'ns', 'number'];
/** A time written in a kind: a date for the five forms, a step count for plain numbers. */
const cell = (ms: number, kind: Kind, i: number) => (kind === 'number' ? String(i * 5) : write(ms, kind));
/** What the reader should find for a cell written by `cell`. */
const timeOf = (ms: number, kind: Kind, i: number) => (kind === 'number' ? i * 5 : ms);
const EXPECTED: Record<Kind, string> = {
  iso: 'ISO-8601 dates (such as 2024-01-05 or 2024-01-05T10:00:00Z)',
  s: 'Unix epoch seconds (315532800 to 4102444800: 1980 to 2100)',
  ms: 'Unix epoch milliseconds (315532800000 to 4102444800000: 1980 to 2100)',
  us: 'Unix epoch microseconds (315532800000000 to 4102444800000000: 1980 to 2100)',
  ns: 'Unix epoch nanoseconds (315532800000000000 to 4102444800000000000: 1980 to 2100)',
  number: 'numbers',
};
const csv = (name: string, times: readonly string[], valueFirst: boolean) =>
  (valueFirst ? `v,${name}\n` : `${name},v\n`) + times.map((t, i) => (valueFirst ? `${i + 1},${t}` : `${t},${i + 1}`)).join('\n') + '\n';
const columnOfCell = (valueFirst: boolean, row: number) => (valueFirst ? String(row + 1).length + 2 : 1);

const valid = fc.record({ start, stepMinutes: fc.constantFrom(1, 5, 60), length: fc.integer({ min: 3, max: 30 }), kind: fc.constantFrom(...KINDS) });

describe('one rule for a timestamp column', () => {
  it('what picks a column by content is what reads it: a dated column is read as dates or refused, never as text', () => {
    // Columns mixing every kind of cell: the rule's verdict and the reader's must agree.
    const anyCell = fc.oneof(
      start.map((ms) => write(ms, 'iso')),
      start.map((ms) => write(ms, 's')),
      fc.integer({ min: 0, max: 1000 }).map(String),
      fc.constantFrom('', 'NA', 'monday', '2015-02-30', '01/02/2015', '14200707OO'),
    );
    fc.assert(
      fc.property(fc.array(anyCell, { minLength: 1, maxLength: 12 }), (cells) => {
        const kind = timeKindOf(cells);
        const dated = datedContent(cells);
        expect(dated === undefined ? ['number', 'text'] : [dated]).toContain(kind);
        let column: TimeColumn | undefined;
        try {
          column = timeColumnOf(cells);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          expect(kind).not.toBe('text');
          // The refusal names a cell that is not of the column's kind.
          expect((error as Error).message).toMatch(/^row (\d+): (empty|missing) timestamp|^row (\d+): timestamp '.*' in column 'timestamp' (is not|is out of range|is beyond|falls in the same)/);
          return;
        }
        expect(column.kind === 'epoch' ? column.unit : column.kind).toBe(kind);
      }),
      { seed: 61, numRuns: 400 },
    );
  });

  it('refuses one bad cell in a column of times, by name or by content, naming file:line:column and the cell', () => {
    const mutation = fc.record({ at: fc.nat(), how: fc.constantFrom('letter', 'impossible', 'word'), valueFirst: fc.boolean(), byContent: fc.boolean() });
    fc.assert(
      fc.property(valid, mutation, ({ start: t0, stepMinutes, length, kind }, { at, how, valueFirst, byContent }) => {
        const times = Array.from({ length }, (_, i) => cell(t0 + i * stepMinutes * 60_000, kind, i));
        const row = at % length;
        // A letter inside the cell, an impossible date (month 13), or a word.
        times[row] = how === 'letter' ? `${times[row]!.slice(0, 3)}x${times[row]!.slice(3)}` : how === 'impossible' ? '2015-13-01 00:00:00' : 'n/a';
        // A plain-number column is never found by content (only dates are), so it is named.
        const name = byContent && kind !== 'number' ? 'recorded' : 'timestamp';
        const reason = kind === 'iso' ? 'is not an ISO-8601 date' : 'is not a number';
        expect(errorOf(() => decodeSeriesCsv(csv(name, times, valueFirst), 'b.csv'))).toBe(
          `b.csv:${row + 2}:${columnOfCell(valueFirst, row)}: timestamp '${times[row]}' in column '${name}' ${reason}: the column holds ${EXPECTED[kind]}`,
        );
      }),
      { seed: 67, numRuns: 300 },
    );
  });

  it('a column found by content with one bad ISO cell is refused, not sorted as text (the review case)', () => {
    const text = 'v,when\n3,2015-01-01 00:10:00\n1,2015-01-01 00:00:00\n2,2015-01-01 00:05:00\n4,2015-01-01 00:1S:00\n';
    expect(errorOf(() => cleanSeries(decodeSeriesCsv(text, 'r.csv')))).toBe(
      "r.csv:5:3: timestamp '2015-01-01 00:1S:00' in column 'when' is not an ISO-8601 date: the column holds ISO-8601 dates (such as 2024-01-05 or 2024-01-05T10:00:00Z)",
    );
  });

  it('a missing timestamp: refused by default with the hint; --missing skip leaves its row out; interpolate gives it the time between its neighbours', () => {
    const missingCell = fc.constantFrom('', 'NA', 'null', 'NaN');
    fc.assert(
      fc.property(valid, fc.nat(), missingCell, fc.boolean(), ({ start: t0, stepMinutes, length, kind }, at, gone, valueFirst) => {
        const step = stepMinutes * 60_000;
        const times = Array.from({ length }, (_, i) => cell(t0 + i * step, kind, i));
        const row = at % length;
        times[row] = gone;
        const text = csv('timestamp', times, valueFirst);
        const what = gone === '' ? 'empty timestamp' : `missing timestamp '${gone}'`;
        expect(errorOf(() => decodeSeriesCsv(text, 'm.csv'))).toBe(
          `m.csv:${row + 2}:${columnOfCell(valueFirst, row)}: ${what} in column 'timestamp': the column holds ${EXPECTED[kind]} (--missing skip or interpolate accepts missing timestamps)`,
        );
        const read = (missing: 'skip' | 'interpolate') => cleanSeries(decodeSeriesCsv(text, 'm.csv', { missing }), { missing });
        const skipped = read('skip');
        const kept = Array.from({ length }, (_, i) => i).filter((i) => i !== row);
        expect(Array.from(skipped.series.values)).toEqual(kept.map((i) => i + 1));
        expect(skipped.notes[0]).toBe(`m.csv:${row + 2}: 1 row(s) with a missing timestamp left out (--missing skip)`);
        const filled = read('interpolate');
        // Between its neighbours (the nearest at the ends, which merges with it: values averaged).
        const expected = Array.from({ length }, (_, i) => timeOf(t0 + i * step, kind, i));
        const time = filled.series.time!;
        const values = Array.from(filled.series.values);
        if (row > 0 && row < length - 1) {
          expect(time.kind === 'number' ? time.values : time.kind === 'text' ? [] : time.ms).toEqual(expected);
          expect(values).toEqual(Array.from({ length }, (_, i) => i + 1));
          expect(filled.series.timestamps![row]).toBe(cell(t0 + row * step, kind, row));
        } else {
          expect(filled.series.length).toBe(length - 1);
          expect(values[row === 0 ? 0 : length - 2]).toBe(row === 0 ? 1.5 : length - 0.5);
        }
      }),
      { seed: 71, numRuns: 150 },
    );
  });
});

describe('the timestamp column, read once and carried', () => {
  const edits = fc.array(fc.constantFrom('keep', 'keep', 'keep', 'repeat', 'back', 'drop'), { minLength: 3, maxLength: 40 });

  it('the column decodeSeriesCsv keeps and the one cleanSeries hands on are what reading their cells again gives', () => {
    fc.assert(
      fc.property(valid, edits, fc.boolean(), ({ start: t0, stepMinutes, kind }, ops, resample) => {
        const rows: number[] = [];
        ops.forEach((op, i) => {
          if (op === 'drop' && i > 0) return;
          rows.push(op === 'back' && i > 1 ? i - 2 : i);
          if (op === 'repeat') rows.push(i);
        });
        const times = rows.map((i) => cell(t0 + i * stepMinutes * 60_000, kind, i));
        const decoded = decodeSeriesCsv(csv('timestamp', times, false), 'o.csv');
        expect(decoded.time).toEqual(timeColumnOf(decoded.timestamps!));
        const { series } = cleanSeries(decoded, { resample });
        // The kind is decided once, on the file as written (an epoch column that does not run one
        // way is plain numbers, even once sorted), and the cleaned cells read as that kind give the carried column.
        const read = decoded.time!.kind === 'epoch' ? decoded.time!.unit : decoded.time!.kind;
        expect(series.time).toEqual(readTimeColumn(series.timestamps!, {}, 'error', read));
      }),
      { seed: 73, numRuns: 150 },
    );
  });

  it('cleanSeries reads the column it is handed (SeriesTable.time), not the cells again', () => {
    const decoded = decodeSeriesCsv('timestamp,v\n2,1\n1,2\n', 'h.csv');
    expect(Array.from(cleanSeries(decoded).series.values)).toEqual([2, 1]);
    expect(Array.from(cleanSeries({ ...decoded, time: { kind: 'text' } }).series.values)).toEqual([1, 2]);
  });

  it('shuffled rows of a valid series clean to the same sorted table, or --order error refuses them at the first row that goes back', () => {
    const shuffle = fc.record({ series: valid, seed: fc.integer(), columns: fc.constantFrom<SeriesColumns>({}, { timestampColumn: 'when' }) });
    fc.assert(
      fc.property(shuffle, ({ series: { start: t0, stepMinutes, length, kind }, seed, columns }) => {
        const rows = Array.from({ length }, (_, i) => i);
        let state = (seed >>> 0) || 1;
        for (let i = rows.length - 1; i > 0; i--) {
          state = (state * 48271) % 2147483647;
          const j = state % (i + 1);
          [rows[i], rows[j]] = [rows[j]!, rows[i]!];
        }
        const text = (order: readonly number[]) => 'when,v,label\n' + order.map((i) => `${cell(t0 + i * stepMinutes * 60_000, kind, i)},${i * 0.25},${i % 3 === 0 ? 1 : 0}`).join('\n') + '\n';
        const sorted = cleanSeries(decodeSeriesCsv(text(rows.map((_, i) => i)), 's.csv', columns)).series;
        const back = rows.findIndex((r, i) => i > 0 && r < rows[i - 1]!);
        // Epoch times must run one way (90% of their steps) to be read as dates (time-column.ts);
        // shuffled, they are plain numbers, and under a name that is not time-like, a value column.
        const ups = rows.filter((r, i) => i > 0 && r > rows[i - 1]!).length;
        const oneWay = Math.max(ups, length - 1 - ups) >= 0.9 * (length - 1);
        const dates = kind === 'iso' || (kind !== 'number' && oneWay);
        if (!dates && !columns.timestampColumn) {
          expect(decodeSeriesCsv(text(rows), 's.csv', columns).timestampColumn).toBeUndefined();
          return;
        }
        const shuffled = cleanSeries(decodeSeriesCsv(text(rows), 's.csv', columns)).series;
        if (kind === 'number' || dates) expect({ ...shuffled, source: undefined }).toEqual({ ...sorted, source: undefined });
        else expect({ ...shuffled, source: undefined, time: undefined }).toEqual({ ...sorted, source: undefined, time: undefined });
        expect(shuffled.time!.kind).toBe(kind === 'number' || !dates ? 'number' : sorted.time!.kind);
        expect(Array.from(shuffled.source.lines)).toEqual(rows.map((_, i) => rows.indexOf(i) + 2));
        if (back > 0) expect(errorOf(() => cleanSeries(decodeSeriesCsv(text(rows), 's.csv', columns), { order: 'error' }))).toMatch(new RegExp(`^s\\.csv:${back + 2}: timestamp '[^']*' is earlier than the row before it`));
      }),
      { seed: 79, numRuns: 150 },
    );
  });

  it('timestamps round-trip: the cells a resampled series writes read back to the same times, in the same kind', () => {
    fc.assert(
      fc.property(valid, fc.array(fc.nat({ max: 3 }), { minLength: 2, maxLength: 20 }), ({ start: t0, stepMinutes, kind }, gaps) => {
        let i = 0;
        const steps = [0, ...gaps.map((g) => (i += 1 + g))];
        const times = steps.map((s) => cell(t0 + s * stepMinutes * 60_000, kind, s));
        const { series } = cleanSeries(decodeSeriesCsv(csv('timestamp', times, false), 'r.csv'), { resample: true });
        const again = readTimeColumn(series.timestamps!);
        expect(again).toEqual(series.time);
        // The grid: from the first time at the usual step (the median interval, in steps of the series).
        const intervals = steps.slice(1).map((s, k) => s - steps[k]!).sort((a, b) => a - b);
        const usual = intervals[Math.floor((intervals.length - 1) / 2)]!;
        const count = Math.floor(steps[steps.length - 1]! / usual) + 1;
        const expected = Array.from({ length: count }, (_, k) => timeOf(t0 + k * usual * stepMinutes * 60_000, kind, k * usual));
        expect(again.kind === 'number' ? again.values : again.kind === 'text' ? [] : again.ms).toEqual(expected);
      }),
      { seed: 83, numRuns: 150 },
    );
  });
});
