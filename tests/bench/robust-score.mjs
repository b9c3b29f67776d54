// `npm run bench:robust`: how the rnn detector's scoring and threshold rules fare on data they
// were not chosen on. Sets: nab-dev half A (files 1, 3, 5, … in name order) and the held-out
// series of heldout-series.mjs with seeds 1–12 (H1) are where rules are chosen; nab-dev half B
// and seeds 101–112 (H2) are only for confirming, and `report` prints them only with --confirm.
// Each (cell, series) is trained with the default training settings and its scores kept, as
// the detector scored before the local scale (`--local-scale 0`), with the signed errors they
// come from; the rules are then applied to the saved errors (training does not depend on them).
//   node tests/bench/robust-score.mjs run [--cells rnn] [--out DIR] [--only TEXT]   (detect; the baselines)
//   node tests/bench/robust-score.mjs errors [--groups A,H1]                        (the same training again: its errors)
//   node tests/bench/robust-score.mjs report [--out DIR] [--variants a,b] [--confirm] [--series]
// The threshold variants (shapeFree, exclude*) compare the POT tail's shape clamp and what the
// calibration leaves out; `report --variants local200,shapeFree,...` prints them.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchSeries, CHOOSE_SEEDS, CONFIRM_SEEDS } from './bench-series.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const out = option('--out', '/tmp/robust-score-bench');
const data = option('--data', '/work/shared/data/nab-dev');
const A = await import(join(root, 'dist', 'train', 'anomaly', 'index.js'));
const { locallyStandardised } = A;
export { CHOOSE_SEEDS, CONFIRM_SEEDS };

const allSeries = () => benchSeries(root, data, 'H1');

const arrayOf = (a) => Array.from(a, (v) => (Number.isFinite(v) ? v : null));
const floats = (a) => Float64Array.from(a, (v) => (v === null ? Number.NaN : v));


function summary(e) {
  return { f1: e.metrics.composite.f1, detected: e.metrics.events.detected, labelled: e.metrics.events.labelled, fp: e.metrics.events.falsePositiveRuns, nab: e.nab.normalised, nabRaw: e.nab.raw, nabNull: e.nab.nullScore, nabPerfect: e.nab.perfect };
}

function evaluateFlags(piece, flags) {
  const labels = Uint8Array.from(piece.labels);
  const from = piece.regions.evaluateFrom;
  const scored = flags.map((f, t) => (t >= from ? f : 0));
  return summary({ metrics: A.evaluate(scored, labels, { from, tolerance: piece.window }), nab: A.nabScore(scored, labels, { from }) });
}

/** Squared point scores averaged over `k` trailing steps, square-rooted (errorScores' smoothing). */
function smoothed(points, k) {
  const s = new Float64Array(points.length).fill(Number.NaN);
  for (let t = k - 1; t < points.length; t++) {
    let total = 0;
    for (let j = t - k + 1; j <= t; j++) total += points[j] * points[j];
    s[t] = Math.sqrt(total / k);
  }
  return s;
}

/** Point scores divided by the median of the `w` before each relative to the fit part's median, when above 1. */
function rollingScaled(p, w) {
  const points = floats(p.pointScores);
  const finite = (a) => Array.from(a).filter(Number.isFinite);
  const base = A.quantile(finite(points.slice(0, p.regions.fitEnd)), 0.5);
  const out = new Float64Array(points.length).fill(Number.NaN);
  const sorted = [];
  const position = (v) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (let t = 0; t < points.length; t++) {
    if (t - w - 1 >= 0 && Number.isFinite(points[t - w - 1])) sorted.splice(position(points[t - w - 1]), 1);
    if (t >= 1 && Number.isFinite(points[t - 1])) sorted.splice(position(points[t - 1]), 0, points[t - 1]);
    if (!Number.isFinite(points[t])) continue;
    const n = sorted.length;
    const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    const ratio = n >= Math.min(w, 10) ? median / base : 1;
    out[t] = points[t] / Math.max(1, ratio);
  }
  return out;
}

/** 1 at the normal-part steps in bursts of unpredictable errors (fit.ts, burstMask; affine-invariant, so the standardised errors do). */
function bursts(p) {
  const z = floats(p.errors);
  const first = p.window;
  return A.burstMask(A.unpredictable(z, 1, first, p.regions.fitEnd, p.regions.holdoutEnd), first, p.regions.holdoutEnd, p.smooth);
}

/**
 * Normal-part steps left out of the threshold's calibration, each with the `smooth` − 1 steps
 * after it (whose averaged scores it lifts): the labelled points (an oracle: what the labelled
 * anomalies in the normal part cost), or the steps whose standardised error lies beyond `cut`
 * robust deviations of the fit part's (fit.ts, unpredictable: the points the robust refit
 * replaces), in the fit part only or in the whole normal part, or in runs of `run` or more.
 */
function excluded(p, { labels = false, cut = 4, fitOnly = false, run = 1 } = {}) {
  const end = p.regions.holdoutEnd;
  const hit = labels ? Uint8Array.from(p.labels) : A.unpredictable(floats(p.errors), 1, p.window, p.regions.fitEnd, fitOnly ? p.regions.fitEnd : end, cut);
  const mask = new Uint8Array(p.labels.length);
  let first = -1;
  let last = -1;
  let count = 0;
  const close = () => count >= run && mask.fill(1, first, Math.min(end, last + p.smooth));
  for (let t = p.window; t < end; t++) {
    if (!hit[t]) continue;
    if (first >= 0 && t - last <= p.smooth) [last, count] = [t, count + 1];
    else {
      close();
      [first, last, count] = [t, t, 1];
    }
  }
  close();
  return mask;
}

/** Flags from point scores: smoothed by p.smooth, POT (tail shape at most `maxShape`) on the normal part less `exclude`, localised. */
function flagsFrom(p, points, { risk = 1e-3, evidence, excludeBursts = false, exclude, maxShape = A.MAX_SHAPE } = {}) {
  const scores = smoothed(points, p.smooth);
  const first = p.window + p.smooth - 1;
  const mask = excludeBursts ? bursts(p) : exclude ? excluded(p, exclude) : undefined;
  const calibration = [];
  for (let t = first; t < p.regions.holdoutEnd; t++) if (Number.isFinite(scores[t]) && !mask?.[t]) calibration.push(scores[t]);
  const threshold = A.potThreshold(calibration, risk, 0.98, maxShape).threshold;
  let flags = A.localiseRuns(A.flag(scores, threshold), points, threshold);
  if (evidence) flags = evidence(flags, scores, points, threshold);
  return flags;
}

/** Keeps the runs with at least `k` points over the threshold (or, `mass`, summed smoothed excess of m·threshold). */
const atLeast = (k) => (flags, scores, points, threshold) => {
  const out = flags.slice();
  for (const run of A.runsOf(flags)) {
    let n = 0;
    for (let t = run.start; t < run.end; t++) if (points[t] > threshold) n++;
    if (n < k) out.fill(0, run.start, run.end);
  }
  return out;
};
const massAtLeast = (m) => (flags, scores, points, threshold) => {
  const out = flags.slice();
  for (const run of A.runsOf(A.flag(scores, threshold))) {
    let mass = 0;
    for (let t = run.start; t < run.end; t++) mass += scores[t] - threshold;
    if (mass < m * threshold) out.fill(0, run.start, run.end);
  }
  return out;
};

/** |r_t| of local-scale.ts on the saved standardised errors (one channel): window w, slack (Infinity: centre only). */
const local = (p, w, slack) => locallyStandardised(floats(p.errors), 1, w, slack).map(Math.abs);

/**
 * The variants, each mapping a saved piece to flags. The first is the detector before this
 * change (`--local-scale 0`); `local200` is the new default (window 200, slack 1.5).
 */
export const VARIANTS = {
  fitScale: (p) => A.localiseRuns(A.flag(floats(p.scores), p.threshold), floats(p.pointScores), p.threshold),
  medianRatio200: (p) => flagsFrom(p, rollingScaled(p, 200)),
  fitScaleMass05: (p) => flagsFrom(p, floats(p.pointScores), { evidence: massAtLeast(0.5) }),
  fitScaleAtLeast2: (p) => flagsFrom(p, floats(p.pointScores), { evidence: atLeast(2) }),
  fitScaleBursts: (p) => flagsFrom(p, floats(p.pointScores), { excludeBursts: true }),
  fitScaleRisk1e4: (p) => flagsFrom(p, floats(p.pointScores), { risk: 1e-4 }),
  local200slack1: (p) => flagsFrom(p, local(p, 200, 1)),
  local200centre: (p) => flagsFrom(p, local(p, 200, Infinity)),
  local200slack125: (p) => flagsFrom(p, local(p, 200, 1.25)),
  local200: (p) => flagsFrom(p, local(p, 200, 1.5)),
  local200slack2: (p) => flagsFrom(p, local(p, 200, 2)),
  local100: (p) => flagsFrom(p, local(p, 100, 1.5)),
  local400: (p) => flagsFrom(p, local(p, 400, 1.5)),
  local200mass02: (p) => flagsFrom(p, local(p, 200, 1.5), { evidence: massAtLeast(0.2) }),
  local200mass05: (p) => flagsFrom(p, local(p, 200, 1.5), { evidence: massAtLeast(0.5) }),
  local200atLeast2: (p) => flagsFrom(p, local(p, 200, 1.5), { evidence: atLeast(2) }),
  // The threshold's tail and calibration (on the default scores, local200): the shape unclamped (before), then
  // normal-part points left out of the calibration (excluded above; `labels` is an oracle).
  shapeFree: (p) => flagsFrom(p, local(p, 200, 1.5), { maxShape: Infinity }),
  excludeLabelled: (p) => flagsFrom(p, local(p, 200, 1.5), { exclude: { labels: true } }),
  excludeRefitFit: (p) => flagsFrom(p, local(p, 200, 1.5), { exclude: { fitOnly: true } }),
  excludeUnpredictable: (p) => flagsFrom(p, local(p, 200, 1.5), { exclude: {} }),
  excludeUnpredictable8: (p) => flagsFrom(p, local(p, 200, 1.5), { exclude: { cut: 8 } }),
  excludeRuns3: (p) => flagsFrom(p, local(p, 200, 1.5), { exclude: { run: 3 } }),
  excludeRuns10: (p) => flagsFrom(p, local(p, 200, 1.5), { exclude: { run: 10 } }),
};

/** The rolling z-score thresholded by the current POT rule (the saved summaries keep the rule of their run). */
function zScoreNow(p) {
  const z = floats(p.zScores);
  const calibration = [];
  for (let t = p.window; t < p.regions.holdoutEnd; t++) if (Number.isFinite(z[t])) calibration.push(z[t]);
  return A.flag(z, A.potThreshold(calibration, 1e-3).threshold);
}

function report() {
  const confirm = args.includes('--confirm');
  const groups = confirm ? ['B', 'H2'] : ['A', 'H1'];
  const names = option('--variants', Object.keys(VARIANTS).join(',')).split(',');
  const pieces = readdirSync(out).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(out, f), 'utf8'))).filter((p) => groups.includes(p.group));
  const fmt = (s) => `${s.labelled === 0 ? '  n/a' : s.f1.toFixed(2).padStart(5)} ${s.detected}/${s.labelled},${String(s.fp).padStart(2)} ${Number.isFinite(s.nab) ? s.nab.toFixed(0).padStart(4) : ' n/a'}`;
  for (const cell of [...new Set(pieces.map((p) => p.cell))]) {
    const rows = pieces.filter((p) => p.cell === cell).map((p) => ({
      p,
      results: { ...Object.fromEntries(names.map((v) => [v, evaluateFlags(p, VARIANTS[v](p))])), 'z-score': p.baselines['rolling z-score'] ?? p.baselines['z-score'], ...(p.zScores ? { 'z-score now': evaluateFlags(p, zScoreNow(p)) } : {}), everything: p.everything },
    }));
    const columns = [...names, 'z-score', ...(rows.every((r) => r.results['z-score now']) ? ['z-score now'] : []), 'everything'];
    console.log(`\n${cell} on ${groups.join(' + ')}: composite F1, windows/labelled, FP runs, NAB`);
    if (args.includes('--series')) {
      console.log('series'.padEnd(44), columns.map((v) => v.padStart(22)).join(''));
      for (const { p, results } of rows) console.log(`${p.group.padEnd(3)}${p.series.slice(0, 40).padEnd(41)}`, columns.map((v) => fmt(results[v]).padStart(22)).join(''));
    }
    for (const group of groups) {
      const sel = rows.filter((r) => r.p.group === group);
      const scored = sel.filter((r) => r.results.everything.labelled > 0);
      console.log(`total ${group}`);
      for (const v of columns) {
        const sum = (f) => sel.reduce((a, r) => a + f(r.results[v]), 0);
        const mean = scored.reduce((a, r) => a + (r.results[v].f1 || 0), 0) / Math.max(1, scored.length);
        const wins = scored.filter((r) => (r.results[v].f1 || 0) > (r.results['z-score'].f1 || 0) && (r.results[v].f1 || 0) > (r.results.everything.f1 || 0)).length;
        const nab = A.nabTotal(sel.map((r) => ({ raw: r.results[v].nabRaw, nullScore: r.results[v].nabNull, perfect: r.results[v].nabPerfect, normalised: r.results[v].nab })));
        console.log(`  ${v.padEnd(24)} F1 ${mean.toFixed(2)}  windows ${sum((s) => s.detected)}/${sum((s) => s.labelled)}  FP runs ${String(sum((s) => s.fp)).padStart(3)}  NAB ${nab.toFixed(1).padStart(6)}  wins ${wins}/${scored.length}`);
      }
    }
  }
}

async function run() {
  const { loadCell } = await import(join(root, 'dist', 'load-cell.js'));
  const only = option('--only', '');
  mkdirSync(out, { recursive: true });
  for (const cellName of option('--cells', 'rnn').split(',')) {
    const cell = loadCell(cellName);
    for (const entry of (await allSeries()).filter((e) => e.name.includes(only))) {
      const file = join(out, `${cellName}--${entry.name}.json`);
      if (existsSync(file)) continue;
      const series = await entry.load();
      const started = process.cpuUsage();
      const d = A.detect(series, { cell, seed: 1, localScale: 0 });
      const cpu = process.cpuUsage(started);
      const [z, hampel] = d.baselines;
      writeFileSync(file, JSON.stringify({
        cell: cellName, series: entry.name, group: entry.group, length: series.length, window: d.model.window, smooth: d.model.smooth, regions: d.regions,
        labels: Array.from(series.labels), threshold: d.rnn.threshold, scores: arrayOf(d.rnn.scores), pointScores: arrayOf(d.rnn.pointScores),
        zScores: arrayOf(z.scores), zThreshold: z.threshold, detect: summary(d.rnn.evaluation), baselines: { 'z-score': summary(z.evaluation), hampel: summary(hampel.evaluation) },
        everything: summary(d.references.everything), cpuSeconds: (cpu.user + cpu.system) / 1e6,
      }));
      console.log(`${cellName.padEnd(5)} ${entry.name.padEnd(50)} ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`);
    }
  }
}

/** Adds each piece's signed prediction errors, standardised by the fit part's mean and deviation (the same training as run's). */
async function addErrors() {
  const { loadCell } = await import(join(root, 'dist', 'load-cell.js'));
  const { prepare } = await import(join(root, 'dist', 'train', 'anomaly', 'prepare.js'));
  const { fitMember } = await import(join(root, 'dist', 'train', 'anomaly', 'fit.js'));
  const { createRandom } = await import(join(root, 'dist', 'random.js'));
  const only = option('--only', '');
  const entries = await allSeries();
  for (const f of readdirSync(out).filter((f) => f.endsWith('.json')).sort()) {
    const piece = JSON.parse(readFileSync(join(out, f), 'utf8'));
    if (piece.errors || !piece.series.includes(only) || !option('--groups', piece.group).split(',').includes(piece.group)) continue;
    const series = await entries.find((e) => e.name === piece.series).load();
    const options = { cell: loadCell(piece.cell), seed: 1, localScale: 0 };
    const member = fitMember(series, options, prepare(series, options), createRandom(1));
    const C = series.channels.length;
    piece.errors = arrayOf(member.errors.map((e, i) => (e - member.errorMean[i % C]) / member.errorStd[i % C]));
    const same = member.pointScores.every((v, t) => (Number.isNaN(v) ? piece.pointScores[t] === null : v === piece.pointScores[t]));
    if (!same) throw new Error(`${f}: the retrained point scores differ from the saved ones`);
    writeFileSync(join(out, f), JSON.stringify(piece));
    console.log(`errors ${piece.series}`);
  }
}

if (args[0] === 'run') await run();
else if (args[0] === 'errors') await addErrors();
else if (args[0] === 'report') report();
