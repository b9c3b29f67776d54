// `npm run bench:flags`: scoring and flagging rules of the rnn detector, chosen on some series and
// confirmed on others. Each (cell, series) is trained once with default training settings and its
// signed prediction errors kept (standardised by the fit part, before the local scale); every
// rule is then applied to the saved errors (training does not depend on them). Groups:
//   A   nab-dev files 1, 3, 5, … in name order   (choose)
//   H1  heldout-series.mjs seeds 1–12             (choose)
//   B   nab-dev files 2, 4, 6, …                  (confirm)
//   H2  heldout-series.mjs seeds 101–112          (confirm)
//   R   the real-like set of heldout-series.mjs (machine-temperature, taxi, aws-cpu, no-anomaly; confirm)
//   F   fresh: heldout seeds 201–212 and real-like seeds beyond R's (confirms a rule chosen after
//       B, H2 and R had been seen; only with `run --groups F`, `report --fresh`)
//   S   the synthetic series of `rnn benchmark --seed 1` (synth.ts, one per anomaly kind; choose;
//       only with `run --groups S`)
//   S2  the same kinds with seeds 301–312 (confirm; only with `run --groups S2`)
// Each piece also keeps the level input (standardised, seasonally adjusted, before the level is
// removed) for the level-alarm variants (level.ts).
// `report` prints the choosing groups; `report --confirm` the confirming ones (look only once a
// rule is chosen).
//   node tests/bench/flag-rules.mjs run [--cells rnn] [--out DIR] [--only TEXT] [--groups A,H1,B,H2,R] [--level N]
//   node tests/bench/flag-rules.mjs report [--out DIR] [--variants a,b] [--confirm | --fresh | --groups A+B,R] [--series]
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchSeries } from './bench-series.mjs';
import { heldoutSeries, reallikeSeries, REALLIKE_KINDS, REALLIKE_SEEDS } from './heldout-series.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const out = option('--out', '/tmp/flag-rules-bench');
const data = option('--data', '/work/shared/data/nab-dev');
const A = await import(join(root, 'dist', 'train', 'anomaly', 'index.js'));
export const CHOOSE = ['A', 'H1'];
export const CONFIRM = ['B', 'H2', 'R'];
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const FRESH_SEEDS = range(201, 212);
const SYNTH_SEEDS = { S: [1], S2: range(301, 312) };
const FRESH_REALLIKE = { 'machine-temperature': range(4, 6), taxi: range(4, 6), 'aws-cpu': range(7, 18), 'no-anomaly': range(5, 8) };

async function allSeries() {
  const { createRandom } = await import(join(root, 'dist', 'random.js'));
  const list = await benchSeries(root, data, 'H1');
  for (const kind of REALLIKE_KINDS) {
    for (let seed = 1; seed <= REALLIKE_SEEDS[kind]; seed++) list.push({ name: `${kind}__seed${seed}`, group: 'R', load: async () => reallikeSeries(createRandom, kind, seed) });
  }
  // F: fresh series for confirming a rule chosen after B, H2 and R had been seen (`--groups F`, `report --fresh`).
  for (const seed of FRESH_SEEDS) list.push({ name: `heldout-${seed}`, group: 'F', load: async () => heldoutSeries(createRandom, seed) });
  for (const [kind, seeds] of Object.entries(FRESH_REALLIKE)) {
    for (const seed of seeds) list.push({ name: `${kind}__seed${seed}`, group: 'F', load: async () => reallikeSeries(createRandom, kind, seed) });
  }
  // S, S2: the synthetic kinds as `rnn benchmark --seed N` makes them (a clean sine, period 40, shorter than the window).
  for (const [group, seeds] of Object.entries(SYNTH_SEEDS)) {
    for (const seed of seeds) for (const kind of A.ANOMALY_KINDS) list.push({ name: `synth-${kind}__seed${seed}`, group, load: async () => A.synthSeries({ seed, kinds: [kind] }) });
  }
  return list;
}

const arrayOf = (a) => Array.from(a, (v) => (Number.isFinite(v) ? v : null));
const floats = (a) => Float64Array.from(a, (v) => (v === null ? Number.NaN : v));

function summary(e) {
  return { f1: e.metrics.composite.f1, detected: e.metrics.events.detected, labelled: e.metrics.events.labelled, fp: e.metrics.events.falsePositiveRuns, flagged: e.metrics.points.truePositives + e.metrics.points.falsePositives, nab: e.nab.normalised, nabRaw: e.nab.raw, nabNull: e.nab.nullScore, nabPerfect: e.nab.perfect };
}

export function evaluateFlags(piece, flags) {
  const labels = Uint8Array.from(piece.labels);
  const from = piece.regions.evaluateFrom;
  const scored = flags.map((f, t) => (t >= from ? f : 0));
  return summary({ metrics: A.evaluate(scored, labels, { from, tolerance: piece.window }), nab: A.nabScore(scored, labels, { from }) });
}

async function run() {
  const { loadCell } = await import(join(root, 'dist', 'load-cell.js'));
  const { prepare } = await import(join(root, 'dist', 'train', 'anomaly', 'prepare.js'));
  const { fitMember } = await import(join(root, 'dist', 'train', 'anomaly', 'fit.js'));
  const { createRandom } = await import(join(root, 'dist', 'random.js'));
  const { timeStepOf } = await import(join(root, 'dist', 'io', 'index.js'));
  const { deseasonalise } = await import(join(root, 'dist', 'train', 'anomaly', 'seasonal.js'));
  const { standardise } = await import(join(root, 'dist', 'train', 'anomaly', 'prepare.js'));
  const only = option('--only', '');
  const groups = option('--groups', 'A,H1,B,H2,R').split(',');
  mkdirSync(out, { recursive: true });
  for (const cellName of option('--cells', 'rnn').split(',')) {
    const cell = loadCell(cellName);
    for (const entry of (await allSeries()).filter((e) => e.name.includes(only) && groups.includes(e.group))) {
      const file = join(out, `${cellName}--${entry.name}.json`);
      if (existsSync(file)) continue;
      const series = await entry.load();
      const started = process.cpuUsage();
      // As `rnn benchmark` does: a day or a week at the time step of dated timestamps (period.ts); `--level N`: the level-relative input's window (level.ts; 0 off; by default 200 or 0 as the fit part's level drift decides, levelWindowFor).
      const timeStep = timeStepOf(series.timestamps);
      const level = option('--level', undefined);
      const options = { cell, seed: 1, ...(timeStep ? { timeStep } : {}), ...(level !== undefined ? { levelWindow: Number(level) } : {}) };
      let prepared;
      try {
        prepared = prepare(series, options);
      } catch (error) {
        console.log(`${cellName.padEnd(5)} ${entry.name.padEnd(50)} skipped: ${error.message}`);
        continue;
      }
      const member = fitMember(series, options, prepared, createRandom(1));
      const C = series.channels.length;
      const errors = member.errors.map((e, i) => (e - member.errorMean[i % C]) / member.errorStd[i % C]);
      // The rolling z-score, as detect() thresholds it (POT on the whole normal part).
      const { regions, window, smooth, horizon } = prepared;
      const zScores = A.rollingZScore(series, window, A.channelScale(series, 0, regions.fitEnd));
      const zThreshold = A.thresholdOf(zScores, window, regions.holdoutEnd, { rule: 'pot' });
      // The predictor's input before it is taken relative to its level (standardised, seasonally adjusted): rules on the level itself read it.
      const inputs = deseasonalise(standardise(series.values, C, prepared.mean, prepared.std), C, prepared.seasonal, regions.fitEnd);
      const piece = { cell: cellName, series: entry.name, group: entry.group, length: series.length, C, window, smooth, horizon, regions, labels: Array.from(series.labels), errors: arrayOf(errors), inputs: arrayOf(inputs) };
      const cpu = process.cpuUsage(started);
      piece.zScore = evaluateFlags(piece, A.flag(zScores, zThreshold));
      piece.everything = evaluateFlags(piece, Uint8Array.from(piece.labels, () => 1));
      piece.cpuSeconds = (cpu.user + cpu.system) / 1e6;
      writeFileSync(file, JSON.stringify(piece));
      console.log(`${cellName.padEnd(5)} ${entry.name.padEnd(50)} ${piece.cpuSeconds.toFixed(1)} s CPU`);
    }
  }
}

/** Root mean square over channels of z, averaged over k trailing steps (prepare.ts, rmsScores). */
function rms(z, C, k) {
  const T = z.length / C;
  const sq = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += z[t * C + c] ** 2;
    sq[t] = s / C;
  }
  const out = new Float64Array(T).fill(Number.NaN);
  for (let t = k - 1; t < T; t++) {
    let s = 0;
    for (let j = t - k + 1; j <= t; j++) s += sq[j];
    out[t] = Math.sqrt(s / k);
  }
  return out;
}

/** The detector's flags from judged errors r: smooth, POT on the normal part, flag, localise; `after` post-processes. */
function flagsOf(p, r, { after, risk = 1e-3 } = {}) {
  const scores = rms(r, p.C, p.smooth);
  const points = rms(r, p.C, 1);
  const first = p.window + p.horizon - 1 + p.smooth - 1;
  const threshold = Math.max(A.MIN_RNN_THRESHOLD ?? 0, A.thresholdOf(scores, first, p.regions.holdoutEnd, { rule: 'pot', risk }));
  let flags = A.localiseRuns(A.flag(scores, threshold), points, threshold);
  if (after) flags = after(flags, { scores, points, threshold });
  return flags;
}

const errorsOf = (p) => floats(p.errors);
const local = (p, w = 200, slack = 1.5) => A.locallyStandardised(errorsOf(p), p.C, w, slack);

/** Runs closer than `gap` steps merged into one (the steps between flagged too). */
const mergeWithin = (gap) => (flags) => {
  const out = flags.slice();
  const runs = A.runsOf(flags);
  for (let k = 1; k < runs.length; k++) if (runs[k].start - runs[k - 1].end < gap) out.fill(1, runs[k - 1].end, runs[k].start);
  return out;
};

/**
 * Errors minus rho times the error before, divided by sqrt(1 − rho²), rho the lag-1 autocorrelation of
 * the `window` errors before each (clamped to [0, cap]; errors beyond `clip` robust sd are clipped
 * for the estimate): errors that follow the noise's own slow swings become its innovations.
 */
function whitened(z, C, window, { cap = 0.95, clip = Infinity, floor = 0 } = {}) {
  const T = z.length / C;
  const out = new Float64Array(z.length).fill(Number.NaN);
  for (let c = 0; c < C; c++) {
    const x = new Float64Array(T);
    for (let t = 0; t < T; t++) x[t] = Math.max(-clip, Math.min(clip, z[t * C + c]));
    let n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    const pair = (t, sign) => {
      if (t < 1 || !Number.isFinite(x[t]) || !Number.isFinite(x[t - 1])) return;
      n += sign; sx += sign * x[t - 1]; sy += sign * x[t]; sxx += sign * x[t - 1] ** 2; syy += sign * x[t] ** 2; sxy += sign * x[t] * x[t - 1];
    };
    for (let t = 0; t < T; t++) {
      const v = z[t * C + c];
      if (Number.isFinite(v)) {
        let rho = 0;
        if (n >= 10) {
          const cov = sxy - (sx * sy) / n;
          const d = Math.sqrt(Math.max(0, sxx - (sx * sx) / n) * Math.max(0, syy - (sy * sy) / n));
          rho = d > 0 ? Math.max(0, Math.min(cap, cov / d)) : 0;
          if (rho < floor) rho = 0;
        }
        const prev = t >= 1 ? z[(t - 1) * C + c] : Number.NaN;
        out[t * C + c] = Number.isFinite(prev) ? (v - rho * prev) / Math.sqrt(1 - rho * rho) : v;
      }
      pair(t, 1);
      pair(t - window, -1);
    }
  }
  return out;
}

/** The local scale, its spread at least that of the past `smooth`-step means times sqrt(smooth) (autocorrelated errors). */
function localEffective(z, C, window, smooth, slack = 1.5) {
  const T = z.length / C;
  const out = new Float64Array(z.length);
  for (let c = 0; c < C; c++) {
    const col = Float64Array.from({ length: T }, (_, t) => z[t * C + c]);
    const means = Float64Array.from({ length: T }, (_, t) => { if (t < smooth - 1) return Number.NaN; let s = 0; for (let j = t - smooth + 1; j <= t; j++) s += col[j]; return s / smooth; });
    for (let t = 0; t < T; t++) {
      const v = col[t];
      const past = [], pastMeans = [];
      for (let j = Math.max(0, t - window); j < t; j++) { if (Number.isFinite(col[j])) past.push(col[j]); if (Number.isFinite(means[j])) pastMeans.push(means[j]); }
      if (!Number.isFinite(v) || past.length < 10) { out[t * C + c] = v; continue; }
      past.sort((a, b) => a - b);
      const m = A.quantile(past, 0.5);
      const s = 1.4826 * A.medianAbsoluteDeviation(past, m);
      let sEff = 0;
      if (pastMeans.length >= 10) { pastMeans.sort((a, b) => a - b); sEff = 1.4826 * A.medianAbsoluteDeviation(pastMeans, A.quantile(pastMeans, 0.5)) * Math.sqrt(smooth); }
      out[t * C + c] = (v - m) / Math.max(1, Math.max(s, sEff) / slack);
    }
  }
  return out;
}

/** Keeps the runs whose smoothed score exceeds (1 + margin) × threshold somewhere (hysteresis). */
const peakAbove = (margin) => (flags, { scores, threshold }) => {
  const out = flags.slice();
  for (const run of A.runsOf(A.flag(scores, threshold))) {
    let peak = 0;
    for (let t = run.start; t < run.end; t++) peak = Math.max(peak, scores[t]);
    if (peak <= (1 + margin) * threshold) out.fill(0, run.start, run.end);
  }
  return out;
};

/** Keeps the runs of the smoothed score over the threshold that last at least `k` steps. */
const persisting = (k) => (flags, { scores, threshold }) => {
  const out = flags.slice();
  for (const run of A.runsOf(A.flag(scores, threshold))) if (run.end - run.start < k) out.fill(0, run.start, run.end);
  return out;
};

/**
 * The level's departure (level.ts, levelDeparture) as a second channel: its own POT threshold on
 * the normal part (at least 1, a departure of one fit-part standard deviation), runs of ≥ 2
 * steps, not localised; OR-ed with the default rnn flags (local200persist2).
 */
/** The largest over channels of the smallest positive gap between distinct values of x in [0, fitEnd), over sqrt(C). */
function quantumOf(x, C, fitEnd) {
  let q = 0;
  for (let c = 0; c < C; c++) {
    const v = [];
    for (let t = 0; t < fitEnd; t++) if (Number.isFinite(x[t * C + c])) v.push(x[t * C + c]);
    v.sort((a, b) => a - b);
    let gap = Infinity;
    for (let i = 1; i < v.length; i++) if (v[i] > v[i - 1]) gap = Math.min(gap, v[i] - v[i - 1]);
    if (Number.isFinite(gap)) q = Math.max(q, gap);
  }
  return q / Math.sqrt(C);
}

function withLevel(p, k, W, { margin = 1, onset = false, rearm = false, quantum = false } = {}) {
  const rnn = flagsOf(p, local(p), { after: persisting(2) });
  if (!p.inputs) throw new Error(`${p.series}: no saved inputs (rerun \`run\`)`);
  const S = A.levelDeparture(floats(p.inputs), p.C, W, k);
  const first = W + k - 1;
  if (p.regions.holdoutEnd - first < 50) return rnn;
  const x = floats(p.inputs);
  const threshold = Math.max(1, margin * A.thresholdOf(S, first, p.regions.holdoutEnd, { rule: 'pot' }), quantum ? margin * quantumOf(x, p.C, p.regions.fitEnd) : 0);
  const above = A.flag(S, threshold);
  const runs = A.persistentRuns(above, 2);
  let level = onset ? runs.map((f, t) => (f && !runs[t - 1] ? 1 : 0)) : runs;
  // Re-arm: an alarm only after W steps at or below the threshold.
  if (rearm) level = level.map((f, t) => (f && !above.subarray(Math.max(0, t - W), t).some((a) => a) ? 1 : 0));
  return rnn.map((f, t) => f | level[t]);
}

/**
 * The rules compared (README's nab-dev section): `local200` is the detector before `--min-run`
 * (`--min-run 1`), `local200persist2` the default since; `fitScale` is `--local-scale 0`.
 */
export const VARIANTS = {
  fitScale: (p) => flagsOf(p, errorsOf(p)),
  local200: (p) => flagsOf(p, local(p)),
  white200: (p) => flagsOf(p, A.locallyStandardised(whitened(errorsOf(p), p.C, 200), p.C, 200, 1.5)),
  white200clip: (p) => flagsOf(p, A.locallyStandardised(whitened(errorsOf(p), p.C, 200, { clip: 4 }), p.C, 200, 1.5)),
  white200cap8: (p) => flagsOf(p, A.locallyStandardised(whitened(errorsOf(p), p.C, 200, { cap: 0.8 }), p.C, 200, 1.5)),
  white100: (p) => flagsOf(p, A.locallyStandardised(whitened(errorsOf(p), p.C, 100), p.C, 200, 1.5)),
  effective200: (p) => flagsOf(p, localEffective(errorsOf(p), p.C, 200, p.smooth)),
  local200peak10: (p) => flagsOf(p, local(p), { after: peakAbove(0.1) }),
  local200peak25: (p) => flagsOf(p, local(p), { after: peakAbove(0.25) }),
  white200floor3: (p) => flagsOf(p, A.locallyStandardised(whitened(errorsOf(p), p.C, 200, { clip: 4, floor: 0.3 }), p.C, 200, 1.5)),
  white200floor5: (p) => flagsOf(p, A.locallyStandardised(whitened(errorsOf(p), p.C, 200, { clip: 4, floor: 0.5 }), p.C, 200, 1.5)),
  effective200slack2: (p) => flagsOf(p, localEffective(errorsOf(p), p.C, 200, p.smooth, 2)),
  white200floor5persist2: (p) => flagsOf(p, A.locallyStandardised(whitened(errorsOf(p), p.C, 200, { clip: 4, floor: 0.5 }), p.C, 200, 1.5), { after: persisting(2) }),
  effective200slack2persist2: (p) => flagsOf(p, localEffective(errorsOf(p), p.C, 200, p.smooth, 2), { after: persisting(2) }),
  local200persist2: (p) => flagsOf(p, local(p), { after: persisting(2) }),
  local200persist3: (p) => flagsOf(p, local(p), { after: persisting(3) }),
  local200persist5: (p) => flagsOf(p, local(p), { after: persisting(5) }),
  level25w200: (p) => withLevel(p, 25, 200),
  level25w400: (p) => withLevel(p, 25, 400),
  level50w200: (p) => withLevel(p, 50, 200),
  level50w400: (p) => withLevel(p, 50, 400),
  risk3e4: (p) => flagsOf(p, local(p), { after: persisting(2), risk: 3e-4 }),
  risk1e4: (p) => flagsOf(p, local(p), { after: persisting(2), risk: 1e-4 }),
  onset10: (p) => withLevel(p, 25, 200, { onset: true }),
  onset15: (p) => withLevel(p, 25, 200, { onset: true, margin: 1.5 }),
  onset20: (p) => withLevel(p, 25, 200, { onset: true, margin: 2 }),
  onset15rearm: (p) => withLevel(p, 25, 200, { onset: true, margin: 1.5, rearm: true, quantum: true }),
};

function report() {
  const groups = args.includes('--fresh') ? ['F'] : args.includes('--confirm') ? CONFIRM : option('--groups', CHOOSE.join(',')).split(',');
  const names = option('--variants', Object.keys(VARIANTS).join(',')).split(',');
  const cellWanted = option('--cells', '');
  const wanted = groups.flatMap((g) => g.split('+'));
  const pieces = readdirSync(out).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(out, f), 'utf8'))).filter((p) => wanted.includes(p.group) && (!cellWanted || cellWanted.split(',').includes(p.cell)));
  const fmt = (s) => `${s.labelled === 0 ? '  n/a' : s.f1.toFixed(2).padStart(5)} ${s.detected}/${s.labelled},${String(s.fp).padStart(3)} ${Number.isFinite(s.nab) ? s.nab.toFixed(0).padStart(5) : '  n/a'}`;
  for (const cell of [...new Set(pieces.map((p) => p.cell))]) {
    const rows = pieces.filter((p) => p.cell === cell).map((p) => ({ p, results: { ...Object.fromEntries(names.map((v) => [v, evaluateFlags(p, VARIANTS[v](p))])), 'z-score': p.zScore, everything: p.everything } }));
    const columns = [...names, 'z-score', 'everything'];
    console.log(`\n${cell} on ${groups.join(' + ')}: composite F1, windows/labelled, FP runs, NAB`);
    if (args.includes('--series')) {
      console.log('series'.padEnd(44), columns.map((v) => v.slice(0, 22).padStart(23)).join(''));
      for (const { p, results } of rows) console.log(`${p.group.padEnd(3)}${p.series.slice(0, 40).padEnd(41)}`, columns.map((v) => fmt(results[v]).padStart(23)).join(''));
    }
    // `--groups A+B`: the two halves as one (all of nab-dev).
    const subsets = groups.flatMap((g) => (g === 'R' ? ['R', ...REALLIKE_KINDS.map((k) => `R:${k}`)] : g === 'F' ? ['F', 'F:H', 'F:R', ...REALLIKE_KINDS.map((k) => `F:${k}`)] : [g]));
    const inSubset = (p, subset) => {
      const [group, part] = subset.split(':');
      if (group.includes('+')) return group.split('+').includes(p.group);
      if (p.group !== group) return false;
      if (!part) return true;
      if (part === 'H') return p.series.startsWith('heldout');
      if (part === 'R') return !p.series.startsWith('heldout');
      return p.series.startsWith(part);
    };
    for (const subset of subsets) {
      const sel = rows.filter((r) => inSubset(r.p, subset));
      if (sel.length === 0) continue;
      const scored = sel.filter((r) => r.results.everything.labelled > 0);
      console.log(`total ${subset} (${sel.length} series)`);
      for (const v of columns) {
        const sum = (f) => sel.reduce((a, r) => a + f(r.results[v]), 0);
        const mean = scored.reduce((a, r) => a + (r.results[v].f1 || 0), 0) / Math.max(1, scored.length);
        const wins = scored.filter((r) => (r.results[v].f1 || 0) > (r.results['z-score'].f1 || 0) && (r.results[v].f1 || 0) > (r.results.everything.f1 || 0)).length;
        const nab = A.nabTotal(sel.map((r) => ({ raw: r.results[v].nabRaw, nullScore: r.results[v].nabNull, perfect: r.results[v].nabPerfect, normalised: r.results[v].nab })));
        console.log(`  ${v.padEnd(24)} F1 ${mean.toFixed(2)}  windows ${String(sum((s) => s.detected)).padStart(2)}/${sum((s) => s.labelled)}  FP runs ${String(sum((s) => s.fp)).padStart(3)}  NAB ${Number.isFinite(nab) ? nab.toFixed(1).padStart(7) : '    n/a'}  wins ${wins}/${scored.length}  flagged ${sum((s) => s.flagged)}`);
      }
    }
  }
}

if (args[0] === 'run') await run();
else if (args[0] === 'report') report();
