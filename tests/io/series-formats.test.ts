// The labelled-series loader on what real exports hold (issue 13: NAB series from outside
// nab-dev, CloudWatch and spreadsheet exports): line endings, byte-order marks, quotes, time
// formats, huge and negative values, missing or extra columns. Each case loads to the values
// written here by hand, or fails with its full message naming file:line:column.
import { describe, expect, it } from 'vitest';
import { decodeSeriesCsv } from '../../src/io/series.js';
import { cleanSeries } from '../../src/io/series-clean.js';

const load = (text: string, file = 's.csv') => cleanSeries(decodeSeriesCsv(text, file), { missing: 'interpolate' });
const values = (text: string) => Array.from(load(text).series.values);

describe('series formats that load', () => {
  it('reads LF, CRLF and lone-CR line endings, with or without a byte-order mark, to the same rows', () => {
    const rows = ['timestamp,value,label', '2015-01-01 00:00:00,1.5,0', '2015-01-01 00:05:00,-2,1'];
    for (const text of [rows.join('\n'), rows.join('\r\n') + '\r\n', rows.join('\r') + '\r', `\uFEFF${rows.join('\r\n')}`]) {
      const s = load(text).series;
      expect(Array.from(s.values)).toEqual([1.5, -2]);
      expect(Array.from(s.labels!)).toEqual([0, 1]);
      expect(s.timestamps).toEqual(['2015-01-01 00:00:00', '2015-01-01 00:05:00']);
      expect(Array.from(s.source.lines)).toEqual([2, 3]);
    }
  });

  it('reads quoted header and fields, and spaces around them', () => {
    const s = load('"timestamp", "value" ,"label"\n"2015-01-01 00:00:00", "7.25" ,"1"\n').series;
    expect(Array.from(s.values)).toEqual([7.25]);
    expect(Array.from(s.labels!)).toEqual([1]);
  });

  it('sorts ISO timestamps with T and Z (and offsets) by the instant they name', () => {
    const { series, notes } = load('timestamp,value\n2015-01-01T00:10:00Z,3\n2015-01-01T01:05:00+01:00,2\n2015-01-01T00:00:00Z,1\n');
    // 01:05+01:00 is 00:05Z, so the time order is rows 4, 3, 2.
    expect(Array.from(series.values)).toEqual([1, 2, 3]);
    expect(notes).toEqual([
      "s.csv:3: timestamp '2015-01-01T01:05:00+01:00' is earlier than the row before it ('2015-01-01T00:10:00Z'); 2 row(s) go back in time, so the rows were sorted by time",
    ]);
  });

  it('reads epoch seconds as dates: sorted, duplicates averaged, gaps measured in usual steps and named in UTC', () => {
    const { series, notes } = load('timestamp,value,label\n1420070400,1,0\n1420070700,2,0\n1420070700,4,1\n1420071600,5,0\n');
    expect(series.timestamps).toEqual(['1420070400', '1420070700', '1420071600']);
    expect(Array.from(series.values)).toEqual([1, 3, 5]);
    expect(Array.from(series.labels!)).toEqual([0, 1, 0]);
    expect(notes).toEqual([
      "s.csv:4: timestamp '1420070700' repeats the row before it; 1 duplicate row(s) merged (values averaged, labelled if any was)",
      "s.csv:5: 1 gap(s) in the timestamps; the largest, 3.0 usual steps, ends at '1420071600' (2015-01-01 00:20:00 UTC) (--resample puts the series on a regular grid)",
    ]);
  });

  it('keeps huge, tiny and negative values exactly, and integer-valued series as they are', () => {
    expect(values('timestamp,value\n0,1e9\n1,-2.5e9\n2,1e-300\n3,-0\n')).toEqual([1e9, -2.5e9, 1e-300, -0]);
    expect(values('value\n40\n41\n40\n')).toEqual([40, 41, 40]);
  });

  it('reads a file without a label column as unlabelled, and extra number columns as more channels', () => {
    expect(load('timestamp,value\n2015-01-01,2\n').series.labels).toBeUndefined();
    const s = load('timestamp,value,label,score\n0,1,0,0.5\n1,2,1,0.25\n').series;
    expect(s.channels).toEqual(['value', 'score']);
    expect(Array.from(s.values)).toEqual([1, 0.5, 2, 0.25]);
  });

  it('refuses a bad cell of a column that is mostly times, naming file:line:column and the cell (one rule: time-column.ts)', () => {
    const refusal = (text: string) => {
      try {
        load(text);
      } catch (error) {
        return (error as Error).message;
      }
      return 'loaded';
    };
    expect(refusal('timestamp,value\n2015-01-01 00:10:00,3\n2015-01-01 00:0x:00,2\n2015-01-01 00:00:00,1\n')).toBe(
      "s.csv:3:1: timestamp '2015-01-01 00:0x:00' in column 'timestamp' is not an ISO-8601 date: the column holds ISO-8601 dates (such as 2024-01-05 or 2024-01-05T10:00:00Z)",
    );
    expect(refusal('v,t\n1,5\n2,6\n3,seven\n')).toBe("s.csv:4:3: timestamp 'seven' in column 't' is not a number: the column holds numbers");
    expect(refusal('t,v\n5,1\n1e400,2\n7,3\n')).toBe("s.csv:3:1: timestamp '1e400' in column 't' is beyond the range of a 64-bit float: the column holds numbers");
  });

  it('warns, naming the row, when a column of times turns into text, and then reads it as text', () => {
    // Two formats, neither in most cells: text, with the row where the first one stops.
    const { series, notes } = load('timestamp,value\n2015-01-01 00:10:00,3\n01/01/2015 00:05,2\n');
    expect(Array.from(series.values)).toEqual([3, 2]);
    expect(notes).toEqual([
      "s.csv:3: timestamp '01/01/2015 00:05' is not an ISO-8601 date as the first row's ('2015-01-01 00:10:00') is; the timestamps are read as text: rows are not sorted, merged or checked for gaps, and a chart counts steps",
    ]);
    expect(load('t,value\n5,1\n,2\n').notes).toEqual([
      "s.csv:3: timestamp '' is not a number as the first row's ('5') is; the timestamps are read as text: rows are not sorted, merged or checked for gaps, and a chart counts steps",
    ]);
    // A column that is text from the first row (01/02/2015) is text without a note.
    expect(load('timestamp,value\n01/02/2015 10:00,1\n01/02/2015 10:05,2\n').notes).toEqual([]);
  });
});

describe('series formats that are refused, with file:line:column', () => {
  const refusal = (text: string) => {
    try {
      load(text, 'e.csv');
    } catch (error) {
      return (error as Error).message;
    }
    return 'loaded';
  };

  it('names text, hexadecimal, out-of-range and decimal-comma values', () => {
    expect(refusal('timestamp,value,label,note\n0,1,0,ok\n')).toBe("e.csv:2:7: 'ok' is not a number in column 'note'");
    expect(refusal('timestamp,value\n0,0x10\n')).toBe("e.csv:2:3: '0x10' is not a number in column 'value'");
    expect(refusal('timestamp,value\n0,1e400\n')).toBe("e.csv:2:3: '1e400' is beyond the range of a 64-bit float in column 'value'");
    expect(refusal('timestamp,value\n0,1\n1,-2e150\n')).toBe("e.csv:3:3: '-2e150' in column 'value' is too large: a detector squares values and their spread, so |value| must stay below 1e150");
    expect(refusal('timestamp;value\n0;1,5\n')).toBe("e.csv:2:3: '1,5' is not a number (a decimal comma? write 1.5) in column 'value'");
    expect(refusal('timestamp,value\r\n0,Infinity\r\n')).toBe("e.csv:2:3: 'Infinity' is not a number in column 'value'");
  });

  it('names a header column without a name, and a label that is not 0 or 1', () => {
    expect(refusal('timestamp,value,label,\n0,1,0,\n')).toBe('e.csv:1:23: column 4 of the header has no name (a delimiter at the end of the line?)');
    expect(refusal('timestamp,,value\n0,1,2\n')).toBe('e.csv:1:11: column 2 of the header has no name');
    expect(refusal('timestamp,value,label\n0,1,0.5\n')).toBe("e.csv:2:5: label '0.5' in column 'label' must be 0 or 1");
  });

  it('names an unterminated quote and a row with too few fields', () => {
    expect(refusal('timestamp,value\n"2015-01-01,1\n')).toBe('e.csv:2:1: unterminated quoted field');
    expect(refusal('timestamp,value,label\r\n0,1\r\n')).toBe('e.csv:2: 2 fields, expected 3 as in the header (timestamp, value, label)');
  });
});
