// `gateflow rnn benchmark --data DIR` on a folder with odd contents (issue 13): series it cannot
// read, without labels, too short or constant are rows with their reason, the others are
// measured, other files are passed over, folders not read are named once on stderr, and the run ends normally.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runInProcess } from '../../cli-in-process.js';
import { detect, formatBenchmark, formatMetrics, skippedRow, synthSeries } from '../../../src/train/anomaly/index.js';
import { decodeSeriesCsv } from '../../../src/io/series.js';
import { loadCell } from '../../../src/index.js';

/** 240 steps of a 30-step sine; with a window, label 1 on [170, 190) and a spike at 180. */
function labelledCsv(withWindow: boolean): string {
  const rows = ['timestamp,value,label'];
  for (let t = 0; t < 240; t++) {
    const inWindow = withWindow && t >= 170 && t < 190;
    rows.push(`${t},${(Math.sin((2 * Math.PI * t) / 30) + (withWindow && t === 180 ? 6 : 0)).toFixed(4)},${inWindow ? 1 : 0}`);
  }
  return rows.join('\n') + '\n';
}

describe('rnn benchmark --data on an odd folder', () => {
  let stderr = '';
  beforeEach(() => {
    stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  it('measures what it can and names why it skipped the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateflow-odd-'));
    const data = join(dir, 'data');
    mkdirSync(join(data, 'sub'), { recursive: true });
    writeFileSync(join(data, 'good.csv'), labelledCsv(true));
    writeFileSync(join(data, 'sub', 'quiet.csv'), labelledCsv(false));
    writeFileSync(join(data, 'short.csv'), 'timestamp,value,label\n0,1,0\n1,2,1\n2,1,0\n');
    writeFileSync(join(data, 'unlabelled.csv'), 'timestamp,value\n' + Array.from({ length: 100 }, (_, t) => `${t},${t % 7}`).join('\n'));
    writeFileSync(join(data, 'broken.csv'), 'timestamp,value,label\n0,1,0\n1,n/a?,0\n');
    writeFileSync(join(data, 'flat.csv'), 'timestamp,value,label\n' + Array.from({ length: 240 }, (_, t) => `${t},5,${t > 200 ? 1 : 0}`).join('\n'));
    writeFileSync(join(data, 'README.md'), 'not a series');
    mkdirSync(join(data, 'a', 'b', 'c', 'd'), { recursive: true });
    const out = join(dir, 'out');
    const run = await runInProcess(['rnn', 'benchmark', '--data', data, '--cells', 'rnn', '--hidden', '4', '--epochs', '1', '--window', '10', '-o', out], dir);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(stderr).toBe(`gateflow: warning: did not read 1 folder below '${data}': ${join(data, 'a/b/c/d')} (a folder more than 3 levels down)\n`);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`2 labelled series in ${data} (4 skipped); default settings for every series`);
    const windows = lines.indexOf('windows detected / labelled, false-positive runs');
    expect(lines.slice(windows + 1, windows + 9).map((l) => l.replace(/\s+/g, ' ').trim().split(' ').slice(0, 2).join(' '))).toEqual([
      'series rnn', 'broken skipped', 'flat skipped', 'good 1/1,', 'short skipped', 'sub__quiet 0/0,', 'unlabelled skipped', 'total 1/1,',
    ]);
    const skipped = lines.indexOf('skipped 4 of 6 series (not in the totals):');
    expect(lines.slice(skipped + 1, skipped + 5)).toEqual([
      `  broken: ${join(data, 'broken.csv')}:3:3: 'n/a?' is not a number in column 'value'`,
      "  flat: column 'value' is constant over the fit part (the first 72 points); there is nothing to predict",
      `  short: ${join(data, 'short.csv')}:4: the series ends after 3 points; a window of 10 points plus one to predict needs at least 11`,
      '  unlabelled: no label column (label, anomaly, is_anomaly or labels), so nothing to measure',
    ]);
    const json = JSON.parse(readFileSync(join(out, 'benchmark.json'), 'utf8'));
    expect(json.rows.map((r: { series: string; skipped?: string }) => [r.series, r.skipped === undefined])).toEqual([
      ['broken', false], ['flat', false], ['good', true], ['short', false], ['sub__quiet', true], ['unlabelled', false],
    ]);
    // The series without a window: its flagged runs are all false positives, and NAB's null and perfect scores are 0.
    const quiet = json.rows[4].methods['flag everything'];
    expect([quiet.labelled, quiet.falsePositiveRuns, quiet.nab, quiet.nabNull, quiet.nabPerfect]).toEqual([0, 1, null, 0, 0]);
    expect(readFileSync(join(out, 'benchmark.md'), 'utf8')).toContain('| short | skipped | skipped | skipped | skipped |');
  }, 30_000);

  it('ends with status 2 when no series could be measured, after writing the reasons', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateflow-none-'));
    writeFileSync(join(dir, 'short.csv'), 'timestamp,value,label\n0,1,0\n1,2,1\n');
    const run = await runInProcess(['rnn', 'benchmark', '--data', dir, '--cells', 'rnn', '-o', join(dir, 'out')], dir);
    expect(run.stderr).toBe('gateflow: none of the 1 series could be measured (the reasons are listed above and in benchmark.json)\n');
    expect(run.status).toBe(2);
    expect(run.stdout.split('\n').slice(0, 4)).toEqual([
      `0 labelled series in ${dir} (1 skipped); default settings for every series`,
      '',
      'no series was measured; skipped 1:',
      `  short: ${join(dir, 'short.csv')}:3: the series ends after 2 points; a window of 50 points plus one to predict needs at least 51`,
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'benchmark.json'), 'utf8')).rows).toEqual([{ series: 'short', skipped: `${join(dir, 'short.csv')}:3: the series ends after 2 points; a window of 50 points plus one to predict needs at least 51` }]);
  });

  it('prints only the reasons when no series could be measured', () => {
    expect(formatBenchmark([skippedRow('a', 'too short'), skippedRow('b', 'no labels')])).toEqual(['no series was measured; skipped 2:', '  a: too short', '  b: no labels', '']);
    expect(formatBenchmark([skippedRow('a', 'too short')], true)).toEqual(['no series was measured; skipped 1:', '- a: too short', '']);
  });

  it('a detect report on a series whose labels mark no anomaly counts its flagged runs as false positives', () => {
    // The labelled series with its window's labels set to 0: the spike at step 180 stays.
    const series = decodeSeriesCsv(labelledCsv(true).replace(/,1$/gm, ',0'), 'quiet.csv');
    const result = detect(series, { cell: loadCell('rnn'), hidden: 4, epochs: 1, window: 10, seed: 1 });
    const runs = [result.rnn, ...result.baselines].map((m) => `${m.name} ${m.evaluation!.metrics.events.falsePositiveRuns}`).join(', ');
    expect(formatMetrics(result).at(-1)).toBe(`the labels mark no anomaly, so every flagged run in the scored part (steps 120 on) is a false positive: ${runs}`);
    // The spike (6 above a sine of amplitude 1) is flagged by the z-score.
    expect(result.baselines[0]!.flagged[180]).toBe(1);
  });
});

describe('series on other scales', () => {
  it('flag the same points at 1e9 times the values shifted by -4e10 (CloudWatch bytes), and mirrored', () => {
    const base = synthSeries({ seed: 3, length: 600, period: 20, count: 1, kinds: ['spike', 'level-shift'] });
    const flags = (scale: number, shift: number) => {
      const d = detect({ ...base, values: base.values.map((v) => v * scale + shift) }, { cell: loadCell('rnn'), hidden: 4, epochs: 2, window: 10, seed: 1 });
      return [d.rnn, ...d.baselines].map((m) => Array.from(m.flagged).flatMap((f, t) => (f ? [t] : [])));
    };
    const plain = flags(1, 0);
    expect(plain[0]!.length).toBeGreaterThan(0);
    expect(flags(1e9, -4e10)).toEqual(plain);
    // Mirrored values: the baselines score |deviation|, so their flags stay.
    expect(flags(-1, 0).slice(1)).toEqual(plain.slice(1));
  });
});
