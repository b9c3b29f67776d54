// `gateflow rnn …` as a user runs it: the built bin (npm test builds first), its files, its
// exit status. Same inputs and seed give the same bytes; bad input exits 2 with one message.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seriesToCsv, synthSeries } from '../../../src/train/anomaly/index.js';

const BIN = resolve(__dirname, '..', '..', '..', 'dist', 'cli', 'main.js');

function gateflow(...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('gateflow rnn', () => {
  const work = mkdtempSync(join(tmpdir(), 'gateflow-rnn-'));

  it('synth --kind writes the same CSV as synthSeries, to standard output', () => {
    const run = gateflow('rnn', 'synth', '--kind', 'flat', '--seed', '2', '--length', '700', '--count', '1');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(seriesToCsv(synthSeries({ seed: 2, kinds: ['flat'], length: 700, count: 1 })));
  });

  it('synth writes one file per kind, a mixed one and the list of anomalies', () => {
    const out = join(work, 'synth');
    const run = gateflow('rnn', 'synth', '--seed', '1', '--length', '1500', '--count', '1', '-o', out);
    expect(run.status).toBe(0);
    for (const kind of ['spike', 'level-shift', 'frequency', 'flat', 'mixed']) expect(existsSync(join(out, `${kind}.csv`))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out, 'anomalies.json'), 'utf8'));
    expect(manifest.series.mixed.anomalies).toHaveLength(4);
  });

  it('detect writes flagged points, a report, charts and a model; twice gives the same bytes; --model reuses it', () => {
    const series = join(work, 'spike.csv');
    writeFileSync(series, seriesToCsv(synthSeries({ seed: 3, kinds: ['spike'], length: 800, period: 20, count: 1 })));
    const args = ['rnn', 'detect', '--series', series, '--hidden', '4', '--window', '20', '--epochs', '2', '--smooth', '1'];
    const first = gateflow(...args, '-o', join(work, 'a'), '--save-model', join(work, 'model.json'));
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('fit on steps 0..239, threshold from held-out normal steps 240..399, scored steps 400..799');
    expect(first.stdout).toMatch(/gradient norm before clipping/);
    const second = gateflow(...args, '-o', join(work, 'b'));
    expect(second.status).toBe(0);
    for (const file of ['flagged.csv', 'report.json', 'detection.svg', 'training.svg']) {
      expect(readFileSync(join(work, 'b', file), 'utf8')).toBe(readFileSync(join(work, 'a', file), 'utf8'));
    }
    expect(readFileSync(join(work, 'a', 'flagged.csv'), 'utf8').split('\n')[0]).toBe('t,timestamp,value,score,threshold,label');
    const report = JSON.parse(readFileSync(join(work, 'a', 'report.json'), 'utf8'));
    expect(report.epochs).toHaveLength(2);
    expect(Object.keys(report.rnn.segments)).toEqual(['correctRuns', 'f1', 'found', 'labelled', 'precision', 'recall', 'runs']);
    const reuse = gateflow('rnn', 'detect', '--series', series, '--model', join(work, 'model.json'), '-o', join(work, 'c'));
    expect(reuse.status).toBe(0);
    expect(reuse.stdout).toContain(`model ${join(work, 'model.json')}: cell rnn, hidden 4, window 20`);
  }, 60_000);

  it('bad input exits 2 with one located message and no stack trace', () => {
    const bad = join(work, 'bad.csv');
    writeFileSync(bad, 'time,value\n0,1.5\n1,n/a\n');
    const run = gateflow('rnn', 'detect', '--series', bad);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`gateflow: ${bad}:3:3: 'n/a' is not a number in column 'value'\n`);
    const missing = gateflow('rnn', 'detect', '--series', bad, '--value-column', 'temperature');
    expect(missing.stderr).toBe(`gateflow: ${bad}:1: no value column 'temperature' (the header has: 'time', 'value')\n`);
    const cell = gateflow('rnn', 'detect', '--series', bad, '--cell', 'nope');
    expect(cell.status).toBe(2);
  }, 30_000);
});
