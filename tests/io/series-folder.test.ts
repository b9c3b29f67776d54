// The benchmark's folder reader (listSeriesFolder) on odd folders: other files, subfolders, a
// NAB checkout's layout, links, depth; and NAB's combined_windows.json turned into labels,
// checked against labels worked out by hand.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSeriesFolder } from '../../src/io/fs.js';
import { decodeNabWindows, labelFromWindows } from '../../src/io/nab-windows.js';
import { decodeSeriesCsv } from '../../src/io/series.js';
import { readSeriesFolder } from '../../src/io/series-folder.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'gateflow-folder-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('listSeriesFolder', () => {
  it('takes the CSV files of the folder and its subfolders in name order, passes over other files and names the folders it leaves out', () => {
    const root = tree({ 'b.csv': '', 'A.CSV': '', 'notes.txt': '', '.hidden.csv': '', 'sub/c.csv': '', 'sub/deeper/d.csv': '', 'w/x/y/z/too-deep.csv': '' });
    symlinkSync(join(root, 'sub'), join(root, 'loop'));
    const folder = listSeriesFolder(root);
    expect(folder.files.map((f) => [f.name, f.relative])).toEqual([
      ['A', 'A.CSV'],
      ['b', 'b.csv'],
      ['sub__c', 'sub/c.csv'],
      ['sub__deeper__d', 'sub/deeper/d.csv'],
    ]);
    expect(folder.files[2]!.path).toBe(join(root, 'sub', 'c.csv'));
    expect(folder.ignored).toEqual([`${join(root, 'loop')} (a link to a folder)`, `${join(root, 'w/x/y/z')} (a folder more than 3 levels down)`]);
    expect(folder.nabWindows).toBeUndefined();
  });

  it('reads a NAB checkout from its data/ folder (not results/), given the checkout or data/ itself', () => {
    const root = tree({ 'labels/combined_windows.json': '{}', 'data/realKnownCause/nyc_taxi.csv': '', 'results/numenta/realKnownCause/numenta_nyc_taxi.csv': '', 'README.md': '' });
    for (const dir of [root, join(root, 'data')]) {
      const folder = listSeriesFolder(dir);
      expect(folder.files.map((f) => [f.name, f.relative])).toEqual([['realKnownCause__nyc_taxi', 'realKnownCause/nyc_taxi.csv']]);
      expect(folder.nabWindows).toBe(join(dir === root ? root : join(root, 'data', '..'), 'labels', 'combined_windows.json'));
    }
  });

  it('refuses a folder that does not exist or is a file', () => {
    const root = tree({ 'f.csv': '' });
    expect(() => listSeriesFolder(join(root, 'nope'))).toThrow(`cannot list data folder '${join(root, 'nope')}': no such folder`);
    expect(() => listSeriesFolder(join(root, 'f.csv'))).toThrow(`cannot list data folder '${join(root, 'f.csv')}': not a folder`);
  });
});

describe('NAB windows', () => {
  const json = '{\n  "realKnownCause/a.csv": [\n    ["2015-01-01 00:10:00.000000", "2015-01-01 00:20:00.000000"]\n  ],\n  "realKnownCause/b.csv": []\n}\n';
  const csv = 'timestamp,value\n' + Array.from({ length: 6 }, (_, k) => `2015-01-01 00:${String(5 * k).padStart(2, '0')}:00,${k}`).join('\n') + '\n';

  it('label the points whose time lies in a window, both ends included', () => {
    const windows = decodeNabWindows(json, 'w.json');
    expect([...windows.keys()]).toEqual(['realKnownCause/a.csv', 'realKnownCause/b.csv']);
    expect(windows.get('realKnownCause/a.csv')).toEqual([{ start: Date.UTC(2015, 0, 1, 0, 10), end: Date.UTC(2015, 0, 1, 0, 20) }]);
    // Steps at 00:00, 00:05, ..., 00:25: 00:10, 00:15 and 00:20 are inside.
    expect(Array.from(labelFromWindows(decodeSeriesCsv(csv, 'a.csv'), windows.get('realKnownCause/a.csv')!).labels!)).toEqual([0, 0, 1, 1, 1, 0]);
    expect(Array.from(labelFromWindows(decodeSeriesCsv(csv, 'b.csv'), []).labels!)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('leave a series with its own label column as it is', () => {
    const own = decodeSeriesCsv('timestamp,value,label\n2015-01-01 00:10:00,1,0\n', 'own.csv');
    expect(Array.from(labelFromWindows(own, decodeNabWindows(json, 'w.json').get('realKnownCause/a.csv')!).labels!)).toEqual([0]);
  });

  it('name a bad window by file:line:column, and a series they cannot be placed on', () => {
    expect(() => decodeNabWindows('{"a.csv": [["2015-01-01", "soon"]]}', 'w.json')).toThrow(`w.json:1:12: 'a.csv' window 1: expected two timestamps such as ["2014-11-01 19:00:00", "2014-11-02 19:00:00"]`);
    expect(() => decodeNabWindows('{\n"a.csv": [\n ["2015-01-02", "2015-01-01"]]}', 'w.json')).toThrow("w.json:3:2: 'a.csv' window 1: it ends before it starts");
    expect(() => decodeNabWindows('{"a.csv": {}}', 'w.json')).toThrow("w.json:1:11: 'a.csv': expected a list of [start, end] windows");
    expect(() => decodeNabWindows('[]', 'w.json')).toThrow('w.json:1:1: expected an object mapping data files to lists of windows');
    expect(() => labelFromWindows(decodeSeriesCsv('value\n1\n', 'v.csv'), [])).toThrow('v.csv: no timestamp column, so NAB\'s windows cannot be placed on it');
    expect(() => labelFromWindows(decodeSeriesCsv('timestamp,value\nmonday,1\n', 'm.csv'), [])).toThrow("m.csv: the timestamps are not all dates (ISO-8601, or Unix epoch seconds, milliseconds, microseconds or nanoseconds), so NAB's windows cannot be placed on them");
  });
});

describe('readSeriesFolder on a NAB checkout', () => {
  it('labels each data file from its windows, and names a file the windows do not list', () => {
    const steps = (k: number) => `2015-01-01 00:${String(5 * k).padStart(2, '0')}:00`;
    const csv = 'timestamp,value\n' + Array.from({ length: 6 }, (_, k) => `${steps(k)},${k}`).join('\n') + '\n';
    const root = tree({
      'labels/combined_windows.json': '{"realKnownCause/a.csv": [["2015-01-01 00:05:00.000000", "2015-01-01 00:10:00.000000"]]}',
      'data/realKnownCause/a.csv': csv,
      'data/realKnownCause/b.csv': csv,
      'data/realKnownCause/own.csv': 'timestamp,value,label\n2015-01-01 00:00:00,1,1\n',
    });
    const { entries } = readSeriesFolder(root, { missing: 'interpolate' });
    expect(entries.map((e) => e.name)).toEqual(['realKnownCause__a', 'realKnownCause__b', 'realKnownCause__own']);
    expect(Array.from(entries[0]!.load().labels!)).toEqual([0, 1, 1, 0, 0, 0]);
    expect(() => entries[1]!.load()).toThrow(`${join(root, 'data', 'realKnownCause', 'b.csv')}: no label column, and ${join(root, 'labels', 'combined_windows.json')} has no entry 'realKnownCause/b.csv'`);
    expect(Array.from(entries[2]!.load().labels!)).toEqual([1]);
    expect(readSeriesFolder(root, {}, ['__own.csv']).entries.map((e) => e.name)).toEqual(['realKnownCause__own']);
    expect(() => readSeriesFolder(root, {}, ['x', 'y'])).toThrow(`data folder '${root}' holds no .csv file whose name contains 'x' or 'y'`);
  });
});
