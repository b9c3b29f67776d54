import { describe, expect, it } from 'vitest';
import { decodeSeriesCsv } from '../../src/io/series.js';
import { cleanSeries } from '../../src/io/series-clean.js';

const decode = (text: string, missing: 'error' | 'skip' | 'interpolate' = 'error') => decodeSeriesCsv(text, 'd.csv', { missing });

describe('cleanSeries', () => {
  it('sorts rows whose timestamps go backwards, keeping each row\'s line, and says so once', () => {
    const { series, notes } = cleanSeries(decode('timestamp,value,label\n2024-01-01 00:00,1,0\n2024-01-01 00:10,3,1\n2024-01-01 00:05,2,0\n'));
    expect(Array.from(series.values)).toEqual([1, 2, 3]);
    expect(Array.from(series.labels!)).toEqual([0, 0, 1]);
    expect(Array.from(series.source.lines)).toEqual([2, 4, 3]);
    expect(series.timestamps).toEqual(['2024-01-01 00:00', '2024-01-01 00:05', '2024-01-01 00:10']);
    expect(notes).toEqual(["d.csv:4: timestamp '2024-01-01 00:05' is earlier than the row before it ('2024-01-01 00:10'); 1 row(s) go back in time, so the rows were sorted by time"]);
  });

  it('or refuses them with the line', () => {
    expect(() => cleanSeries(decode('t,value\n0,1\n2,3\n1,2\n'), { order: 'error' })).toThrow(
      "d.csv:4: timestamp '1' is earlier than the row before it ('2') (leave out --order error to sort the rows by time)",
    );
  });

  it('merges duplicate timestamps (mean of values, labelled if any was) or keeps them', () => {
    const text = 't,value,label\n0,1,0\n1,2,0\n1,4,1\n2,5,0\n';
    const merged = cleanSeries(decode(text));
    expect(Array.from(merged.series.values)).toEqual([1, 3, 5]);
    expect(Array.from(merged.series.labels!)).toEqual([0, 1, 0]);
    expect(merged.notes).toEqual(["d.csv:4: timestamp '1' repeats the row before it; 1 duplicate row(s) merged (values averaged, labelled if any was)"]);
    const kept = cleanSeries(decode(text), { duplicates: 'keep' });
    expect(kept.series.length).toBe(4);
  });

  it('reports the largest gap in usual steps, and resamples onto the regular grid', () => {
    // Times 0, 1, 2, 5, 6: usual step 1, one gap of 3 steps ending at '5' (line 5).
    const text = 't,value,label\n0,0,0\n1,10,0\n2,20,1\n5,50,0\n6,60,0\n';
    const found = cleanSeries(decode(text));
    expect(found.series.length).toBe(5);
    expect(found.notes).toEqual(["d.csv:5: 1 gap(s) in the timestamps; the largest, 3.0 usual steps, ends at '5' (--resample puts the series on a regular grid)"]);
    const { series } = cleanSeries(decode(text), { resample: true });
    expect(series.timestamps).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(Array.from(series.values)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    // Labels and lines from the nearest row: 3 is nearer 2 (line 4), 4 nearer 5 (line 5).
    expect(Array.from(series.labels!)).toEqual([0, 0, 1, 1, 0, 0, 0]);
    expect(Array.from(series.source.lines)).toEqual([2, 3, 4, 4, 5, 5, 6]);
  });

  it('resamples ISO timestamps back to ISO text', () => {
    const { series } = cleanSeries(decode('timestamp,value\n2024-01-01 00:00:00,0\n2024-01-01 00:05:00,1\n2024-01-01 00:15:00,3\n'), { resample: true });
    expect(series.timestamps).toEqual(['2024-01-01 00:00:00', '2024-01-01 00:05:00', '2024-01-01 00:10:00', '2024-01-01 00:15:00']);
    expect(Array.from(series.values)).toEqual([0, 1, 2, 3]);
  });

  it('missing values: an error naming the line by default; skip leaves the row out; interpolate fills linearly (nearest at the ends)', () => {
    expect(() => decode('t,value\n0,1\n1,\n2,3\n')).toThrow("d.csv:3:3: empty value in column 'value' (--missing skip or interpolate accepts missing values)");
    expect(() => decode('t,value\n0,1\n1,NaN\n')).toThrow("d.csv:3:3: missing value 'NaN' in column 'value' (--missing skip or interpolate accepts missing values)");
    const skipped = cleanSeries(decode('t,value\n0,1\n1,\n2,3\n', 'skip'), { missing: 'skip' });
    expect(Array.from(skipped.series.values)).toEqual([1, 3]);
    expect(skipped.notes).toEqual(['d.csv:3: 1 row(s) with a missing value left out (--missing skip)']);
    const filled = cleanSeries(decode('t,value\n0,\n1,1\n2,NA\n3,\n4,4\n5,null\n', 'interpolate'), { missing: 'interpolate' });
    expect(Array.from(filled.series.values)).toEqual([1, 1, 2, 3, 4, 4]);
  });

  it('refuses to resample without usable timestamps, or into a grid ten times longer than the file', () => {
    expect(() => cleanSeries(decode('value\n1\n2\n'), { resample: true })).toThrow('d.csv: --resample needs a timestamp column of ISO dates or numbers');
    expect(() => cleanSeries(decode('t,value\n0,1\n1,2\n1000,3\n'), { resample: true })).toThrow('d.csv: resampling at the usual step would make 1001 points out of 3 rows; a timestamp is probably wrong');
  });
});
