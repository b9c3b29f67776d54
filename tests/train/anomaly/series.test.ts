import { describe, expect, it } from 'vitest';
import { decodeSeriesCsv, parseIsoTimestamp, timeAxisOf } from '../../../src/io/series.js';
import { loadCell } from '../../../src/index.js';
import { detect } from '../../../src/train/anomaly/index.js';

describe('decodeSeriesCsv', () => {
  it('reads value, timestamp and label columns, skipping blank and comment lines', () => {
    const s = decodeSeriesCsv('# a comment\ntime,value,label\n2024-01-01,1.5,0\n\n2024-01-02,-2e-1,1\r\n', 'a.csv');
    expect(s.channels).toEqual(['value']);
    expect(Array.from(s.values)).toEqual([1.5, -0.2]);
    expect(s.timestamps).toEqual(['2024-01-01', '2024-01-02']);
    expect(Array.from(s.labels!)).toEqual([0, 1]);
    expect(Array.from(s.source.lines)).toEqual([3, 5]);
  });

  it('ignores a byte-order mark and reads labels written as 1.0, 0.0, true or false', () => {
    const s = decodeSeriesCsv('\uFEFFtimestamp,value,label\n0,1,1.0\n1,2,0.0\n2,3,true\n3,4,FALSE\n', 'bom.csv');
    expect(s.timestamps).toEqual(['0', '1', '2', '3']);
    expect(Array.from(s.labels!)).toEqual([1, 0, 1, 0]);
  });

  it('makes several value columns a multivariate series, row-major', () => {
    const s = decodeSeriesCsv('a,b\n1,2\n3,4\n', 'm.csv');
    expect(s.channels).toEqual(['a', 'b']);
    expect(Array.from(s.values)).toEqual([1, 2, 3, 4]);
    expect(s.labels).toBeUndefined();
    const picked = decodeSeriesCsv('a,b,c\n1,2,3\n', 'm.csv', { valueColumns: ['c', 'a'] });
    expect(Array.from(picked.values)).toEqual([3, 1]);
  });

  it('understands quoted fields and tab-separated files', () => {
    const s = decodeSeriesCsv('timestamp,value\n"Jan 1, 2024",3\n"say ""hi""",4\n', 'q.csv');
    expect(s.timestamps).toEqual(['Jan 1, 2024', 'say "hi"']);
    expect(Array.from(decodeSeriesCsv('t\tv\n0\t7\n', 't.tsv').values)).toEqual([7]);
  });

  it('names a missing column with the header it found', () => {
    expect(() => decodeSeriesCsv('t,value\n0,1\n', 'd.csv', { valueColumns: ['temp'] })).toThrow("d.csv:1: no value column 'temp' (the header has: 't', 'value')");
    expect(() => decodeSeriesCsv('# c\nt,value\n0,1\n', 'd.csv', { labelColumn: 'is_bad' })).toThrow("d.csv:2: no label column 'is_bad' (the header has: 't', 'value')");
  });

  it('points at text in a number column by line and column', () => {
    expect(() => decodeSeriesCsv('t,value\n0,1\n1, abc\n', 'd.csv')).toThrow("d.csv:3:3: 'abc' is not a number in column 'value'");
    expect(() => decodeSeriesCsv('t,value\n0,\n', 'd.csv')).toThrow("d.csv:2:3: empty value in column 'value'");
  });

  it('rejects a label that is not 0 or 1, a short row and an empty file', () => {
    expect(() => decodeSeriesCsv('value,label\n1,2\n', 'd.csv')).toThrow("d.csv:2:3: label '2' in column 'label' must be 0 or 1");
    expect(() => decodeSeriesCsv('t,value\n0\n', 'd.csv')).toThrow('d.csv:2: 1 fields, expected 2 as in the header (t, value)');
    expect(() => decodeSeriesCsv('\n# only a comment\n', 'd.csv')).toThrow('d.csv: empty file (expected a header row, then one row per time step)');
    expect(() => decodeSeriesCsv('t,value\n', 'd.csv')).toThrow('d.csv:1: the header is followed by no data rows');
  });

  it('a series shorter than the window fails with the file and its last line', () => {
    const s = decodeSeriesCsv('t,value\n0,1\n1,2\n2,3\n', 'short.csv');
    expect(() => detect(s, { cell: loadCell('rnn'), window: 50 })).toThrow(
      'short.csv:4: the series ends after 3 points; a window of 50 points plus one to predict needs at least 51',
    );
  });

  it('a series too short to fit and hold out normal data says how long it must be', () => {
    const rows = Array.from({ length: 120 }, (_, t) => `${t},${Math.sin(t)}`).join('\n');
    const s = decodeSeriesCsv(`t,value\n${rows}\n`, 'mid.csv');
    expect(() => detect(s, { cell: loadCell('rnn'), window: 50 })).toThrow(
      'mid.csv:121: the series ends after 120 points; fitting with --window 50 (101 points in the fit part, which is 30% of the series) needs at least 337',
    );
  });
});

describe('decodeSeriesCsv on random input', () => {
  it('500 random and mutated files give a series or an InputError with file:line, nothing else', async () => {
    const { createRandom } = await import('../../../src/random.js');
    const { InputError } = await import('../../../src/errors.js');
    const random = createRandom(11);
    const alphabet = ['0', '1', '2', '.', '-', 'e', ',', '\n', '"', ' ', 'a', 'label', 'value', 't', '#', '\t', ';', '\r\n', 'NaN', 'Infinity'];
    const valid = 't,value,label\n0,1.5,0\n1,2.5,1\n2,-3,0\n';
    for (let i = 0; i < 500; i++) {
      let text: string;
      if (i % 2 === 0) {
        text = Array.from({ length: random.int(40) }, () => alphabet[random.int(alphabet.length)]).join('');
      } else {
        const chars = [...valid];
        for (let k = 0; k < 1 + random.int(3); k++) chars[random.int(chars.length)] = alphabet[random.int(alphabet.length)]!;
        text = chars.join('');
      }
      try {
        const s = decodeSeriesCsv(text, 'fuzz.csv');
        expect(s.values.length).toBe(s.length * s.channels.length);
        expect(s.values.every(Number.isFinite)).toBe(true);
      } catch (error) {
        expect(error, `input ${JSON.stringify(text)}`).toBeInstanceOf(InputError);
        expect((error as Error).message).toMatch(/^fuzz\.csv(:\d+(:\d+)?)?: /);
      }
    }
  });
});

describe('timeAxisOf: what a timestamp column holds', () => {
  it('reads ISO-8601 dates and datetimes as UTC milliseconds, whatever the offset notation', () => {
    expect(parseIsoTimestamp('2024-01-05')).toBe(Date.UTC(2024, 0, 5));
    expect(parseIsoTimestamp('2024-01-05T10:00:00Z')).toBe(Date.UTC(2024, 0, 5, 10));
    // No offset: UTC, not the machine's local time.
    expect(parseIsoTimestamp('2024-01-05T10:00')).toBe(Date.UTC(2024, 0, 5, 10));
    expect(parseIsoTimestamp('2024-01-05 10:00:30.25')).toBe(Date.UTC(2024, 0, 5, 10, 0, 30, 250));
    expect(parseIsoTimestamp('2024-01-05T10:00:00+01:30')).toBe(Date.UTC(2024, 0, 5, 8, 30));
    expect(parseIsoTimestamp('2024-01-05T10:00:00-0500')).toBe(Date.UTC(2024, 0, 5, 15));
    // Two-digit years stay in the first century (Date.UTC alone would read 99 as 1999).
    expect(new Date(parseIsoTimestamp('0099-12-31')!).toISOString()).toBe('0099-12-31T00:00:00.000Z');
    for (const bad of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-01-05T24:00', '05/01/2024', '2024-1-5', 'Jan 5 2024', '2024-01-05T10', '']) {
      expect(parseIsoTimestamp(bad), bad).toBeUndefined();
    }
    expect(parseIsoTimestamp('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });

  it('ISO dates → temporal, plain numbers → quantitative, anything else (text, a mix, an empty cell) → text', () => {
    expect(timeAxisOf(['2024-01-05', '2024-01-06'])).toEqual({ kind: 'temporal', values: [Date.UTC(2024, 0, 5), Date.UTC(2024, 0, 6)], hasTime: false });
    expect(timeAxisOf(['2024-01-05T10:00:00Z', '2024-01-05T11:00:00Z'])).toMatchObject({ kind: 'temporal', hasTime: true });
    expect(timeAxisOf(['-4', '0', '1', '2.5', '1e3'])).toEqual({ kind: 'quantitative', values: [-4, 0, 1, 2.5, 1000] });
    // Years alone are numbers, not dates.
    expect(timeAxisOf(['2023', '2024'])).toMatchObject({ kind: 'quantitative' });
    expect(timeAxisOf(['mon', 'tue'])).toEqual({ kind: 'text' });
    expect(timeAxisOf(['2024-01-05', '17'])).toEqual({ kind: 'text' });
    expect(timeAxisOf(['2024-01-05', '2024-01-05T10:00Z'])).toMatchObject({ kind: 'temporal' });
    expect(timeAxisOf(['1', ''])).toEqual({ kind: 'text' });
    expect(timeAxisOf(['0x10', '0x11'])).toEqual({ kind: 'text' });
    expect(timeAxisOf([])).toEqual({ kind: 'text' });
  });

  it('names the first step where the times go backwards (equal times are not backwards)', () => {
    expect(timeAxisOf(['1', '2', '2', '3']).backwards).toBeUndefined();
    expect(timeAxisOf(['1', '3', '2', '0']).backwards).toEqual({ index: 2, previous: '3', current: '2' });
    expect(timeAxisOf(['2024-01-05', '2024-01-07', '2024-01-06']).backwards).toEqual({ index: 2, previous: '2024-01-07', current: '2024-01-06' });
  });

  it('decodeSeriesCsv keeps the timestamp column\'s name', () => {
    expect(decodeSeriesCsv('when,value\n2024-01-05,1\n', 'a.csv', { timestampColumn: 'when' }).timestampColumn).toBe('when');
    expect(decodeSeriesCsv('value\n1\n', 'a.csv').timestampColumn).toBeUndefined();
  });
});
