// `gateflow rnn benchmark --data DIR` on two NAB series (tests/fixtures/nab): one row per series
// and a total, and the "flag everything" column checked against the labels read here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'dist', 'cli', 'main.js');
const NAB = join(ROOT, 'tests', 'fixtures', 'nab');

function gateflow(...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Composite F1 of flagging every scored point, from the label column alone: P = labelled/scored, event recall 1. */
function flagEverything(file: string): number {
  const labels = readFileSync(join(NAB, file), 'utf8').trimEnd().split('\n').slice(1).map((row) => Number(row.split(',')[2]));
  const from = Math.floor(labels.length * 0.5);
  const scored = labels.slice(from);
  const precision = scored.filter((l) => l === 1).length / scored.length;
  return (2 * precision) / (1 + precision);
}

describe('gateflow rnn benchmark --data', () => {
  const work = mkdtempSync(join(tmpdir(), 'gateflow-bench-'));

  it('prints one row per series and a total for each metric, with flag everything as computed from the labels', () => {
    const out = join(work, 'nab');
    const run = gateflow('rnn', 'benchmark', '--data', NAB, '--cells', 'rnn', '--hidden', '4', '--epochs', '1', '-o', out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`2 labelled series in ${NAB}; default settings for every series`);
    const header = lines.indexOf('composite F1 (event recall × point precision)');
    expect(lines[header + 1]).toMatch(/^series +rnn +rolling z-score +hampel +flag everything$/);
    const rows = lines.slice(header + 2, header + 5);
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual(['realAdExchange__exchange-4_cpc_results', 'realTraffic__speed_7578', 'total']);
    // Computed from the label column, to the 3 decimals printed.
    expect(Number(rows[0]!.trim().split(/\s+/).at(-1))).toBeCloseTo(flagEverything('realAdExchange__exchange-4_cpc_results.csv'), 3);
    expect(Number(rows[1]!.trim().split(/\s+/).at(-1))).toBeCloseTo(flagEverything('realTraffic__speed_7578.csv'), 3);
    expect(lines).toContain('windows detected / labelled, false-positive runs');
    expect(lines).toContain('NAB score (standard profile; 0 = flag nothing, 100 = perfect)');
    const json = JSON.parse(readFileSync(join(out, 'benchmark.json'), 'utf8'));
    expect(json.rows).toHaveLength(2);
    expect(Object.keys(json.rows[0].methods)).toEqual(['flag everything', 'hampel', 'rnn', 'rolling z-score']);
    expect(readFileSync(join(out, 'benchmark.md'), 'utf8')).toContain('| series | rnn | rolling z-score | hampel | flag everything |');
  }, 60_000);

  it('names a folder that holds no CSV, or no folder at all', () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'nothing here');
    expect(gateflow('rnn', 'benchmark', '--data', empty).stderr).toBe(`gateflow: data folder '${empty}' holds no .csv file\n`);
    expect(gateflow('rnn', 'benchmark', '--data', join(work, 'nope')).stderr).toBe(`gateflow: cannot list data folder '${join(work, 'nope')}': no such folder\n`);
    expect(gateflow('rnn', 'benchmark', '--data', NAB, '--only', 'GOOG,IBM').stderr).toBe(`gateflow: data folder '${NAB}' holds no .csv file whose name contains 'GOOG' or 'IBM'\n`);
  }, 60_000); // three CLI start-ups: tens of seconds on a loaded machine
});
