// Unix epoch timestamps as a time column (issue 13): generated cases (fast-check, seeded: a
// failure prints its seed and the shrunk case) write one series with ISO dates and epoch
// seconds, milliseconds, microseconds and nanoseconds, and require the same repairs, time step, chart axis and detection;
// step-index and value-like columns must stay plain numbers; a mutated epoch cell must be
// refused naming its file:line:column. Expected times come from Date.UTC, not from the reader.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf, FORMS, start, write, type Form } from './timestamp-forms.js';
import { cleanSeries } from '../../src/io/series-clean.js';
import { decodeNabWindows, labelFromWindows } from '../../src/io/nab-windows.js';
import { decodeSeriesCsv, timeAxisOf } from '../../src/io/series.js';
import { timeColumnOf, timeStepOf } from '../../src/io/time-column.js';
import { detect } from '../../src/train/anomaly/index.js';
import { loadCell } from '../../src/load-cell.js';

const csv = (times: readonly number[], values: readonly number[], labels: readonly number[], form: Form) =>
  'timestamp,value,label\n' + times.map((t, i) => `${write(t, form)},${values[i]},${labels[i]}`).join('\n') + '\n';

// Starts are whole seconds (decimal epoch seconds are a case of their own below).
const stepMs = fc.constantFrom(1_000, 60_000, 300_000, 900_000, 3_600_000, 86_400_000);

describe('epoch timestamps, hand-written cases', () => {
  it('timeColumnOf reads epoch seconds (also decimal, also newest first) and milliseconds as dates in ms', () => {
    expect(timeColumnOf(['1420070400', '1420070700'])).toEqual({ kind: 'epoch', unit: 's', ms: [Date.UTC(2015, 0, 1), Date.UTC(2015, 0, 1, 0, 5)] });
    expect(timeColumnOf(['1420070400.25', '1420070400.5'])).toEqual({ kind: 'epoch', unit: 's', ms: [Date.UTC(2015, 0, 1, 0, 0, 0, 250), Date.UTC(2015, 0, 1, 0, 0, 0, 500)] });
    expect(timeColumnOf(['1420070700000', '1420070400000'])).toEqual({ kind: 'epoch', unit: 'ms', ms: [Date.UTC(2015, 0, 1, 0, 5), Date.UTC(2015, 0, 1)] });
    // 1980-01-01 is the first second read; the second before it is a plain number.
    expect(timeColumnOf(['315532800'])).toMatchObject({ kind: 'epoch', unit: 's' });
    expect(timeColumnOf(['315532799'])).toEqual({ kind: 'number', values: [315532799] });
    expect(timeStepOf(['1420070400', '1420070700', '1420071000'])).toBe(300_000);
    expect(timeStepOf(['2015-01-01 00:00:00', '2015-01-01 00:05:00', '2015-01-01 00:10:00'])).toBe(300_000);
    expect(timeStepOf(['0', '300', '600'])).toBeUndefined();
  });

  it('a column in the epoch range that does not run one way (a value-like column) stays plain numbers', () => {
    expect(timeColumnOf(['1420070400', '1420090400', '1420060400', '1420080400', '1420050400'])).toMatchObject({ kind: 'number' });
  });

  it('reads epoch microseconds and nanoseconds to the millisecond, halves up, ns beyond 2^53 exactly', () => {
    expect(timeColumnOf(['1420070400000000', '1420070700000000'])).toEqual({ kind: 'epoch', unit: 'us', ms: [Date.UTC(2015, 0, 1), Date.UTC(2015, 0, 1, 0, 5)] });
    // 123.499999 ms and 123.5 ms: float64 cannot hold these ns (above 2^53), the text can.
    expect(timeColumnOf(['1420070400123499999', '1420070400124500000'])).toEqual({ kind: 'epoch', unit: 'ns', ms: [Date.UTC(2015, 0, 1, 0, 0, 0, 123), Date.UTC(2015, 0, 1, 0, 0, 0, 125)] });
    expect(timeColumnOf(['1420070400000500', '1420070400005499.5'])).toEqual({ kind: 'epoch', unit: 'us', ms: [Date.UTC(2015, 0, 1, 0, 0, 0, 1), Date.UTC(2015, 0, 1, 0, 0, 0, 5)] });
    // 1980-01-01 is the first microsecond read; the one before it is a plain number.
    expect(timeColumnOf(['315532800000000'])).toMatchObject({ kind: 'epoch', unit: 'us' });
    expect(timeColumnOf(['315532799999999'])).toEqual({ kind: 'number', values: [315532799999999] });
    expect(timeStepOf(['1420070400000000000', '1420070460000000000', '1420070520000000000'])).toBe(60_000);
    // Before 1980 (the file comment says why): 1975 in seconds stays a plain number.
    expect(timeColumnOf([String(Date.UTC(1975, 0, 1) / 1000), String(Date.UTC(1975, 0, 2) / 1000)])).toMatchObject({ kind: 'number' });
  });

  it('--resample writes its grid back in microseconds and nanoseconds', () => {
    for (const [unit, factor] of [['us', 1000n], ['ns', 1_000_000n]] as const) {
      const at = (minutes: number) => String(BigInt(Date.UTC(2015, 0, 1, 0, minutes)) * factor);
      const { series } = cleanSeries(decodeSeriesCsv(`timestamp,value\n${at(0)},1\n${at(5)},2\n${at(20)},5\n`, `${unit}.csv`), { resample: true });
      expect(series.timestamps, unit).toEqual([0, 5, 10, 15, 20].map(at));
    }
  });

  it('refuses a microsecond or nanosecond column sampled faster than the millisecond, naming the line', () => {
    expect(errorOf(() => decodeSeriesCsv('v,timestamp\n1,1420070400000000\n2,1420070400000400\n', 'f.csv'))).toBe(
      "f.csv:3:3: timestamp '1420070400000400' in column 'timestamp' falls in the same millisecond as the one before it ('1420070400000000'): times are read to the millisecond, so a series sampled faster cannot keep its epoch microseconds (--timestamp-column '' reads it without timestamps)",
    );
    // Nanoseconds of today exceed 2^53: two times 100 ns apart are one float64, and still refused.
    expect(errorOf(() => decodeSeriesCsv('timestamp,v\n1420070400000000000,1\n1420070400000000100,2\n', 'n.csv'))).toMatch(/^n\.csv:3:1: timestamp '1420070400000000100' in column 'timestamp' falls in the same millisecond as the one before it/);
    // The same time twice is a duplicate (series-clean merges it), not a faster series.
    expect(timeColumnOf(['1420070400000000000', '1420070400000000000', '1420070401000000000'])).toMatchObject({ kind: 'epoch', unit: 'ns' });
  });

  it('cleanSeries names epoch gaps with their UTC time, and --resample writes the grid back in seconds', () => {
    const { series, notes } = cleanSeries(decodeSeriesCsv('timestamp,value\n1420070400,1\n1420070700,2\n1420071600,5\n', 's.csv'), { resample: true });
    expect(notes).toEqual(["s.csv:4: 1 gap(s) in the timestamps; the largest, 3.0 usual steps, ends at '1420071600' (2015-01-01 00:20:00 UTC); resampled to a regular grid"]);
    expect(series.timestamps).toEqual(['1420070400', '1420070700', '1420071000', '1420071300', '1420071600']);
    expect(Array.from(series.values)).toEqual([1, 2, 3, 4, 5]);
    expect(timeAxisOf(series.timestamps!)).toEqual({ kind: 'temporal', values: [0, 5, 10, 15, 20].map((m) => Date.UTC(2015, 0, 1, 0, m)), hasTime: true, epoch: 's' });
  });

  it("labelFromWindows places NAB's windows on epoch seconds and milliseconds as on ISO dates (both ends included)", () => {
    const windows = decodeNabWindows('{"a.csv": [["2015-01-01 00:05:00.000000", "2015-01-01 00:10:00.000000"]]}', 'w.json').get('a.csv')!;
    const times = [0, 5, 10, 15].map((m) => Date.UTC(2015, 0, 1, 0, m));
    for (const form of FORMS) {
      const series = decodeSeriesCsv('timestamp,value\n' + times.map((t) => `${write(t, form)},1`).join('\n') + '\n', 'a.csv');
      expect(Array.from(labelFromWindows(series, windows).labels!), form).toEqual([0, 1, 1, 0]);
    }
    expect(errorOf(() => labelFromWindows(decodeSeriesCsv('timestamp,value\n0,1\n300,2\n', 'n.csv'), windows))).toBe(
      "n.csv: the timestamps are not all dates (ISO-8601, or Unix epoch seconds, milliseconds, microseconds or nanoseconds), so NAB's windows cannot be placed on them",
    );
  });

  it('refuses a malformed cell of an epoch column with file:line:column and the full reason', () => {
    const refusal = (text: string) => errorOf(() => decodeSeriesCsv(text, 'e.csv'));
    expect(refusal('value,timestamp\n1,1420070400\n2,14200707OO\n3,1420071000\n')).toBe(
      "e.csv:3:3: timestamp '14200707OO' in column 'timestamp' is not a number: the column holds Unix epoch seconds (315532800 to 4102444800: 1980 to 2100)",
    );
    expect(refusal('timestamp,value\n1420070400,1\n,2\n1420071000,3\n')).toBe(
      "e.csv:3:1: empty timestamp in column 'timestamp': the column holds Unix epoch seconds (315532800 to 4102444800: 1980 to 2100) (--missing skip or interpolate accepts missing timestamps)",
    );
    expect(refusal('timestamp,value\n1420070400,1\n1420070700000,2\n1420071000,3\n')).toBe(
      "e.csv:3:1: timestamp '1420070700000' in column 'timestamp' is out of range: the column holds Unix epoch seconds (315532800 to 4102444800: 1980 to 2100), and this one looks like epoch milliseconds",
    );
    expect(refusal('timestamp,value\n1420070400000000000,1\n1420070700000000,2\n1420071000000000000,3\n')).toBe(
      "e.csv:3:1: timestamp '1420070700000000' in column 'timestamp' is out of range: the column holds Unix epoch nanoseconds (315532800000000000 to 4102444800000000000: 1980 to 2100), and this one looks like epoch microseconds",
    );
    expect(refusal('time;value\n1420070400000;1\n142007070000;2\n1420071000000;3\n')).toBe(
      "e.csv:3:1: timestamp '142007070000' in column 'time' is out of range: the column holds Unix epoch milliseconds (315532800000 to 4102444800000: 1980 to 2100)",
    );
  });
});

describe('epoch timestamps, generated cases', () => {
  it('ISO, epoch-s, -ms, -µs and -ns columns of one series give the same repairs, time step and chart axis', () => {
    // Rows at a regular step, then some repeated, some moved back, some dropped (gaps).
    const rows = fc.record({ start, step: stepMs, edits: fc.array(fc.constantFrom('keep', 'keep', 'keep', 'repeat', 'back', 'drop'), { minLength: 3, maxLength: 60 }) });
    fc.assert(
      fc.property(rows, fc.boolean(), ({ start: t0, step, edits }, resample) => {
        const times: number[] = [];
        edits.forEach((edit, i) => {
          const t = t0 + i * step;
          if (edit === 'drop' && i > 0) return;
          times.push(edit === 'back' && i > 1 ? t - 2 * step : t);
          if (edit === 'repeat') times.push(t);
        });
        const values = times.map((_, i) => (i * 7) % 11);
        const labels = times.map((_, i) => (i % 5 === 0 ? 1 : 0));
        const runs = FORMS.map((form) => {
          const options = { missing: 'error' as const, resample };
          const { series, notes } = cleanSeries(decodeSeriesCsv(csv(times, values, labels, form), 'g.csv'), options);
          const axis = timeAxisOf(series.timestamps!);
          return {
            values: Array.from(series.values),
            labels: Array.from(series.labels!),
            lines: Array.from(series.source.lines),
            // The notes quote the cells as written: compare where they point and what they found.
            notes: notes.map((n) => n.replace(/'[^']*'/g, "'…'").replace(/ \(\d{4}-[^)]* UTC\)/, '')),
            step: timeStepOf(series.timestamps),
            axis: axis.kind === 'temporal' ? axis.values : axis.kind,
          };
        });
        for (const run of runs.slice(1)) expect(run).toEqual(runs[0]);
        const kept = [...new Set(times)].sort((a, b) => a - b);
        if (!resample) expect(runs[0]!.axis).toEqual(kept);
      }),
      { seed: 29, numRuns: 60 },
    );
  });

  it('step indices and other plain number columns are never read as dates', () => {
    const index = fc.record({ from: fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 50_000_000 })), step: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 1000 })), length: fc.integer({ min: 1, max: 300 }) });
    fc.assert(
      fc.property(index, fc.boolean(), ({ from, step, length }, reversed) => {
        const cells = Array.from({ length }, (_, i) => String(from + i * step));
        if (reversed) cells.reverse();
        expect(timeColumnOf(cells).kind).toBe('number');
        expect(timeStepOf(cells)).toBeUndefined();
        expect(timeAxisOf(cells).kind).toBe('quantitative');
      }),
      { seed: 31, numRuns: 300 },
    );
    // Values in the epoch range in random order (a value column named 'time') run no way: plain numbers.
    const shuffled = fc.shuffledSubarray(Array.from({ length: 40 }, (_, i) => Date.UTC(2015, 0, 1) + 300_000 * i), { minLength: 10 });
    fc.assert(
      fc.property(shuffled, fc.constantFrom<Form>('s', 'ms', 'us', 'ns'), (cells, unit) => {
        const ups = cells.filter((v, i) => i > 0 && v > cells[i - 1]!).length;
        fc.pre(ups >= 2 && ups <= cells.length - 3);
        expect(timeColumnOf(cells.map((ms) => write(ms, unit))).kind).toBe('number');
      }),
      { seed: 37, numRuns: 200 },
    );
  });

  it('a mutated cell of an epoch column is refused naming its file:line:column', () => {
    const mutation = fc.record({
      start,
      unit: fc.constantFrom<Form>('s', 'ms', 'us', 'ns'),
      length: fc.integer({ min: 4, max: 40 }),
      at: fc.nat(),
      kind: fc.constantFrom('letter', 'empty', 'cut', 'extra'),
      where: fc.nat(),
      valueFirst: fc.boolean(),
    });
    fc.assert(
      fc.property(mutation, ({ start: t0, unit, length, at, kind, where, valueFirst }) => {
        const cells = Array.from({ length }, (_, i) => write(t0 + i * 60_000, unit));
        const row = at % length;
        const cell = cells[row]!;
        const position = where % (cell.length + 1);
        // Dates from 2001 to 2030: a digit cut or added moves a cell a factor of ten out of its unit's range.
        cells[row] = kind === 'letter' ? cell.slice(0, position) + 'x' + cell.slice(position) : kind === 'empty' ? '' : kind === 'cut' ? cell.slice(0, -1) : cell + String(where % 10);
        const text = (valueFirst ? 'v,timestamp\n' : 'timestamp,v\n') + cells.map((c, i) => (valueFirst ? `${i * 0.5},${c}` : `${c},${i * 0.5}`)).join('\n') + '\n';
        const column = valueFirst ? String(row * 0.5).length + 2 : 1;
        const range = {
          s: 'seconds (315532800 to 4102444800: 1980 to 2100)',
          ms: 'milliseconds (315532800000 to 4102444800000: 1980 to 2100)',
          us: 'microseconds (315532800000000 to 4102444800000000: 1980 to 2100)',
          ns: 'nanoseconds (315532800000000000 to 4102444800000000000: 1980 to 2100)',
        }[unit as 's' | 'ms' | 'us' | 'ns'];
        const reason =
          kind === 'empty' ? `empty timestamp in column 'timestamp': the column holds Unix epoch ${range} (--missing skip or interpolate accepts missing timestamps)`
          : kind === 'letter' ? `timestamp '${cells[row]}' in column 'timestamp' is not a number: the column holds Unix epoch ${range}`
          : `timestamp '${cells[row]}' in column 'timestamp' is out of range: the column holds Unix epoch ${range}`;
        expect(errorOf(() => decodeSeriesCsv(text, 'm.csv'))).toBe(`m.csv:${row + 2}:${column}: ${reason}`);
      }),
      { seed: 41, numRuns: 300 },
    );
  });

  it('detect gives the same seasonal period, scores and flags on ISO and epoch s, ms, µs and ns timestamps', () => {
    const cell = loadCell('rnn');
    // A daily shape at hourly or two-hourly steps, with a spike late in the series.
    const series = fc.record({ start, stepMinutes: fc.constantFrom(60, 120), noiseSeed: fc.integer({ min: 1, max: 1_000_000 }) });
    // Each run compares ISO with two of the four epoch units (runs alternate), to keep the test's time.
    const unitPairs: readonly (readonly Form[])[] = [['s', 'us'], ['ms', 'ns']];
    let run = 0;
    fc.assert(
      fc.property(series, ({ start: t0, stepMinutes, noiseSeed }) => {
        const perDay = 1440 / stepMinutes;
        const n = 12 * perDay;
        let state = noiseSeed;
        const noise = () => ((state = (state * 48271) % 2147483647) / 2147483647 - 0.5) * 0.2;
        const values = Array.from({ length: n }, (_, t) => Math.sin((2 * Math.PI * t) / perDay) + noise() + (t === n - perDay / 2 ? 4 : 0));
        const labels = values.map((_, t) => (t === n - perDay / 2 ? 1 : 0));
        const times = values.map((_, t) => t0 + t * stepMinutes * 60_000);
        const results = ['iso' as const, ...unitPairs[run++ % 2]!].map((form) => {
          const { series: s } = cleanSeries(decodeSeriesCsv(csv(times, values, labels, form), 'd.csv'));
          const timeStep = timeStepOf(s.timestamps);
          const d = detect(s, { cell, hidden: 3, window: 8, epochs: 1, seed: 1, ...(timeStep ? { timeStep } : {}) });
          return { timeStep, seasonal: d.model.seasonal, scores: Array.from(d.rnn.scores), flagged: Array.from(d.rnn.flagged), threshold: d.rnn.threshold };
        });
        expect(results[0]!.timeStep).toBe(stepMinutes * 60_000);
        expect(results[0]!.seasonal[0]).toMatchObject({ period: perDay, calendar: 'day' });
        for (const result of results.slice(1)) expect(result).toEqual(results[0]);
      }),
      { seed: 43, numRuns: 2 },
    );
  });
});
