// `gateflow rnn …` as a user runs it: the built bin (npm test builds first), its files, its
// exit status. Same inputs and seed give the same bytes; bad input exits 2 with one message.
// A run of each kind goes through the bin (a child process); the others run in-process through
// runCli, the function the bin calls, with standard error captured whole (warnings included),
// saving a process start (a second of CPU) each. Of the time-zone pair, the Kolkata run is
// in-process (Node applies a TZ assigned at run time to Date and Intl, which the test checks) and
// the New York run is a fresh bin, so a zone read once when a module loads would show too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seriesToCsv, synthSeries } from '../../../src/train/anomaly/index.js';
import { runInProcessWithStderr } from '../../cli-in-process.js';

const BIN = resolve(__dirname, '..', '..', '..', 'dist', 'cli', 'main.js');

function gateflow(...args: string[]) {
  return gateflowIn({}, ...args);
}

function gateflowIn(env: Record<string, string>, ...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `gateflow ...args` in-process, in `cwd`, standard error whole (warnings included). */
const inProcess = (cwd: string, ...args: string[]) => runInProcessWithStderr(args, cwd);

/**
 * As inProcess, with the process's time zone set to `zone` for the run, then restored; first
 * checks that Date and Intl both read 10:00 UTC on 5 January 2024 as `localTime` there.
 */
async function inProcessInZone(zone: string, localTime: string, cwd: string, ...args: string[]) {
  const before = process.env.TZ;
  process.env.TZ = zone;
  try {
    const moment = new Date(Date.UTC(2024, 0, 5, 10));
    const clock = `${String(moment.getHours()).padStart(2, '0')}:${String(moment.getMinutes()).padStart(2, '0')}`;
    expect([clock, new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' }).format(moment)], `TZ=${zone} assigned at run time`).toEqual([localTime, localTime]);
    return await inProcess(cwd, ...args);
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

/** A synthetic series with its step column replaced by `stamp(t)` under the header `name`. */
function withTimestamps(csv: string, name: string, stamp: (t: number) => string): string {
  const [header, ...rows] = csv.trimEnd().split('\n');
  return [header!.replace(/^t,/, `${name},`), ...rows.map((row, t) => row.replace(/^[^,]*,/, `${stamp(t)},`))].join('\n') + '\n';
}

describe('gateflow rnn', () => {
  const work = mkdtempSync(join(tmpdir(), 'gateflow-rnn-'));

  it('synth --kind writes the same CSV as synthSeries, to standard output', async () => {
    const run = await inProcess(work, 'rnn', 'synth', '--kind', 'flat', '--seed', '2', '--length', '700', '--count', '1');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(seriesToCsv(synthSeries({ seed: 2, kinds: ['flat'], length: 700, count: 1 })));
  });

  it('synth writes one file per kind, a mixed one and the list of anomalies', async () => {
    const out = join(work, 'synth');
    const run = await inProcess(work, 'rnn', 'synth', '--seed', '1', '--length', '1500', '--count', '1', '-o', out);
    expect(run.status).toBe(0);
    for (const kind of ['spike', 'level-shift', 'frequency', 'flat', 'mixed']) expect(existsSync(join(out, `${kind}.csv`))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out, 'anomalies.json'), 'utf8'));
    expect(manifest.series.mixed.anomalies).toHaveLength(4);
  });

  it('detect writes flagged points, a report, charts and a model; twice (the bin, then in-process) gives the same bytes; --model reuses it', async () => {
    const series = join(work, 'spike.csv');
    writeFileSync(series, seriesToCsv(synthSeries({ seed: 3, kinds: ['spike'], length: 800, period: 20, count: 1 })));
    const args = ['rnn', 'detect', '--series', series, '--hidden', '4', '--window', '20', '--epochs', '2', '--smooth', '1'];
    const first = gateflow(...args, '-o', join(work, 'a'), '--save-model', join(work, 'model.json'));
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('fit on steps 0..239, threshold from held-out normal steps 240..399, scored steps 400..799');
    expect(first.stdout).toMatch(/gradient norm before clipping/);
    expect(first.stdout).toContain('labelled points in the fit part: 0, in the held-out part: 0; the robust refit replaced ');
    const second = await inProcess(work, ...args, '-o', join(work, 'b'), '--metric', 'nab');
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/point F1  composite F1  range F1  windows  FP runs  delay      NAB\n/);
    for (const file of ['flagged.csv', 'report.json', 'detection.svg', 'training.svg']) {
      expect(readFileSync(join(work, 'b', file), 'utf8')).toBe(readFileSync(join(work, 'a', file), 'utf8'));
    }
    expect(readFileSync(join(work, 'a', 'flagged.csv'), 'utf8').split('\n')[0]).toBe('t,timestamp,value,rnn_score,rnn_flag,rolling_z_score_score,rolling_z_score_flag,hampel_score,hampel_flag,label');
    expect(first.stdout).toMatch(/\n\(flag nothing\) +0 +0\.000 +0\.000 +0\.000 +0\/1 +0 +-\n\(flag everything\) +400 +/);
    const report = JSON.parse(readFileSync(join(work, 'a', 'report.json'), 'utf8'));
    expect(report.epochs.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(report.rnn)).toEqual(['composite', 'events', 'flagged', 'nab', 'name', 'points', 'range', 'threshold']);
    expect(report.baselines.map((b: { name: string }) => b.name)).toEqual(['rolling z-score', 'hampel']);
    expect(report.references.everything.composite.recall).toBe(1);
    const reuse = await inProcess(work, 'rnn', 'detect', '--series', series, '--model', join(work, 'model.json'), '-o', join(work, 'c'));
    expect(reuse.status).toBe(0);
    expect(reuse.stdout).toContain(`model ${join(work, 'model.json')}: cell rnn, hidden 4, window 20`);
  }, 60_000);

  it('detect prints the drift hint once (standard error; report.json keeps it), names a season longer than the window, and --no-seasonal turns it off', async () => {
    const base = synthSeries({ seed: 6, kinds: ['spike'], length: 800, period: 60, count: 1 });
    const series = join(work, 'drift.csv');
    writeFileSync(series, seriesToCsv({ ...base, values: base.values.map((v, t) => (t >= 400 ? v + 0.01 * (t - 400) : v)) }));
    const args = ['rnn', 'detect', '--series', series, '--hidden', '4', '--window', '20', '--epochs', '1'];
    const run = await inProcess(work, ...args, '-o', join(work, 'drift'));
    expect(run.status).toBe(0);
    expect(run.stderr.match(/hint: column 'value' is distributed differently/g)).toHaveLength(1);
    expect(run.stderr).toMatch(/^gateflow: warning: hint: column 'value'/);
    expect(run.stdout).not.toContain('hint:');
    // The fit part (240 points) holds 4 cycles of 60.
    expect(run.stdout).toMatch(/\ncolumn 'value' repeats every 60 steps \(autocorrelation 0\.\d\d in the fit part without its level\): the predictor reads its residual from the per-phase median, phase counted from the series' first step\n/);
    const report = JSON.parse(readFileSync(join(work, 'drift', 'report.json'), 'utf8'));
    expect(report.warnings).toHaveLength(1);
    expect(report.seasonal.map((s: { period: number } | null) => s?.period)).toEqual([60]);
    expect(report.run.localise).toBe(true);
    const plain = await inProcess(work, ...args, '--no-seasonal', '--no-localise', '-o', join(work, 'drift-plain'));
    expect(plain.stdout).not.toContain('repeats every');
    const plainReport = JSON.parse(readFileSync(join(work, 'drift-plain', 'report.json'), 'utf8'));
    expect(plainReport.seasonal).toEqual([null]);
    expect(plainReport.run.localise).toBe(false);
  }, 60_000);

  it('detect draws ISO and epoch timestamps on a UTC time axis (the same bytes in any time zone); times that go back are sorted, text falls back to the step index', async () => {
    const csv = seriesToCsv(synthSeries({ seed: 3, kinds: ['spike'], length: 600, period: 20, count: 1 }));
    const hourly = join(work, 'hourly.csv');
    writeFileSync(hourly, withTimestamps(csv, 'timestamp', (t) => new Date(Date.UTC(2024, 0, 5, 10) + t * 3_600_000).toISOString().replace('.000Z', 'Z')));
    const args = ['rnn', 'detect', '--series', hourly, '--hidden', '4', '--window', '20', '--epochs', '2', '--smooth', '1'];
    // Two zones away from UTC, half an hour apart in their offsets (+5:30, −5:00).
    const kolkata = await inProcessInZone('Asia/Kolkata', '15:30', work, ...args, '-o', join(work, 'kolkata'), '--save-model', join(work, 'hourly-model.json'));
    expect(kolkata.stderr).toBe('');
    expect(kolkata.status).toBe(0);
    const newYork = gateflowIn({ TZ: 'America/New_York' }, ...args, '-o', join(work, 'new-york'));
    expect(newYork.stderr).toBe('');
    expect(newYork.status).toBe(0);
    const svg = readFileSync(join(work, 'kolkata', 'detection.svg'), 'utf8');
    expect(readFileSync(join(work, 'new-york', 'detection.svg'), 'utf8')).toBe(svg);
    expect(svg).toContain("X-axis titled 'timestamp (UTC): 2024-01-05T10:00:00Z to 2024-01-30T09:00:00Z' for a utc scale");
    expect(svg).not.toContain('time step');
    const flagged = readFileSync(join(work, 'kolkata', 'flagged.csv'), 'utf8').trimEnd().split('\n');
    expect(flagged[0]).toBe('t,timestamp,value,rnn_score,rnn_flag,rolling_z_score_score,rolling_z_score_flag,hampel_score,hampel_flag,label');
    expect(flagged.length).toBeGreaterThan(1);
    for (const row of flagged.slice(1)) expect(row).toMatch(/^\d+,2024-01-\d\dT\d\d:00:00Z,/);

    // Reuse the model: no training, only the chart's axis differs.
    const reuse = (file: string, out: string) => inProcess(work, 'rnn', 'detect', '--series', file, '--model', join(work, 'hourly-model.json'), '-o', join(work, out));
    const backwards = join(work, 'backwards.csv');
    writeFileSync(backwards, withTimestamps(csv, 'timestamp', (t) => new Date(Date.UTC(2024, 0, 5, 10) + (t === 300 ? 0 : t) * 3_600_000).toISOString()));
    const back = await reuse(backwards, 'backwards');
    expect(back.status).toBe(0);
    expect(back.stderr).toBe(
      `gateflow: warning: ${backwards}:302: timestamp '2024-01-05T10:00:00.000Z' is earlier than the row before it ('2024-01-17T21:00:00.000Z'); 1 row(s) go back in time, so the rows were sorted by time\n` +
        `gateflow: warning: ${backwards}:302: timestamp '2024-01-05T10:00:00.000Z' repeats the row before it; 1 duplicate row(s) merged (values averaged, labelled if any was)\n` +
        `gateflow: warning: ${backwards}:303: 1 gap(s) in the timestamps; the largest, 2.0 usual steps, ends at '2024-01-17T23:00:00.000Z' (--resample puts the series on a regular grid)\n`,
    );
    // Sorted, the times run forward again: the chart keeps its time axis.
    expect(readFileSync(join(work, 'backwards', 'detection.svg'), 'utf8')).toContain("X-axis titled 'timestamp (UTC): 2024-01-05T10:00:00Z to 2024-01-30T09:00:00Z' for a utc scale");
    const refused = await inProcess(work, 'rnn', 'detect', '--series', backwards, '--order', 'error', '--model', join(work, 'hourly-model.json'), '-o', join(work, 'refused'));
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(`gateflow: ${backwards}:302: timestamp '2024-01-05T10:00:00.000Z' is earlier than the row before it ('2024-01-17T21:00:00.000Z') (leave out --order error to sort the rows by time)\n`);
    // The same hours as Unix epoch seconds: the same UTC time axis and title (time-column.ts).
    const epoch = join(work, 'epoch.csv');
    writeFileSync(epoch, withTimestamps(csv, 'timestamp', (t) => String(Date.UTC(2024, 0, 5, 10) / 1000 + t * 3600)));
    const epochRun = await reuse(epoch, 'epoch');
    expect(epochRun.stderr).toBe('');
    expect(epochRun.status).toBe(0);
    expect(readFileSync(join(work, 'epoch', 'detection.svg'), 'utf8')).toContain("X-axis titled 'timestamp (UTC): 2024-01-05T10:00:00Z to 2024-01-30T09:00:00Z' for a utc scale");
    const text = join(work, 'text.csv');
    writeFileSync(text, withTimestamps(csv, 'when', (t) => `day ${t}`));
    const textRun = await inProcess(work, 'rnn', 'detect', '--series', text, '--timestamp-column', 'when', '--model', join(work, 'hourly-model.json'), '-o', join(work, 'text'));
    expect(textRun.stderr).toBe('');
    expect(textRun.status).toBe(0);
    expect(readFileSync(join(work, 'text', 'detection.svg'), 'utf8')).toContain("X-axis titled 'time step ('when' holds neither dates nor numbers)' for a linear scale");
  }, 180_000); // six CLI runs with training: minutes on a loaded 2-core machine

  it('bad input exits 2 with one located message and no stack trace (the first through the bin)', async () => {
    const bad = join(work, 'bad.csv');
    writeFileSync(bad, 'time,value\n0,1.5\n1,n/a\n');
    const run = gateflow('rnn', 'detect', '--series', bad);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`gateflow: ${bad}:3:3: 'n/a' is not a number in column 'value'\n`);
    const missing = await inProcess(work, 'rnn', 'detect', '--series', bad, '--value-column', 'temperature');
    expect(missing.stderr).toBe(`gateflow: ${bad}:1: no value column 'temperature' (the header has: 'time', 'value')\n`);
    const cell = await inProcess(work, 'rnn', 'detect', '--series', bad, '--cell', 'nope');
    expect(cell.status).toBe(2);
  }, 30_000);
});
