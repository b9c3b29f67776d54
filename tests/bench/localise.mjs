// `npm run bench:localise`: how the rnn detector's post-processing choices fare, chosen on one
// half of nab-dev and reported on the other half and on seeded series not in nab-dev
// (heldout-series.mjs). Each (cell, series) is trained once with default settings; the
// variants are then computed from its saved scores (training does not depend on them):
//   smooth5        the default score (mean squared error over 5 steps), flags as they are
//   smooth5+local  the same flags, each run trimmed to its points whose own score exceeds the threshold
//   smooth5+localP the same, "exceeds" judged against the POT threshold of the unsmoothed scores (the default)
//   smooth1        each point scored alone (threshold re-fitted by the same POT rule)
//   smooth3+localP 3-step smoothing, localised as smooth5+localP
//   node tests/bench/localise.mjs run [--cells rnn] [--out DIR] [--only TEXT]   (trains; one JSON per piece)
//   node tests/bench/localise.mjs report [--out DIR]                           (variants, per series and halves)
//   node tests/bench/localise.mjs table [--out DIR] [--min-run K]  (README's Markdown: each cell before → after localising, the baselines;
//        with --min-run, the localised runs are first made to persist as detect() does, persist.ts; the pieces were saved with min-run 1)
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchSeries } from './bench-series.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const out = option('--out', '/tmp/localise-bench');
const data = option('--data', '/work/shared/data/nab-dev');
const A = await import(join(root, 'dist', 'train', 'anomaly', 'index.js'));

const allSeries = () => benchSeries(root, data, 'H');
const minRun = Number(option('--min-run', 1));

if (args[0] === 'run') {
  const { loadCell } = await import(join(root, 'dist', 'load-cell.js'));
  const cells = option('--cells', 'rnn').split(',');
  const only = option('--only', '');
  mkdirSync(out, { recursive: true });
  for (const cellName of cells) {
    const cell = loadCell(cellName);
    for (const entry of (await allSeries()).filter((e) => e.name.includes(only))) {
      const file = join(out, `${cellName}--${entry.name}.json`);
      if (existsSync(file)) continue;
      const series = await entry.load();
      const started = process.cpuUsage();
      const d = A.detect(series, { cell, seed: 1, localise: false });
      const cpu = process.cpuUsage(started);
      const base = Object.fromEntries(d.baselines.map((b) => [b.name, summary(b.evaluation)]));
      writeFileSync(file, JSON.stringify({
        cell: cellName, series: entry.name, group: entry.group, length: series.length, window: d.model.window, regions: d.regions,
        labels: series.labels ? Array.from(series.labels) : null, threshold: d.rnn.threshold,
        scores: Array.from(d.rnn.scores), pointScores: Array.from(d.rnn.pointScores), detect: summary(d.rnn.evaluation), baselines: base, everything: summary(d.references.everything),
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
      }));
      console.log(`${cellName.padEnd(5)} ${entry.name.padEnd(50)} ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`);
    }
  }
} else if (args[0] === 'table') {
  table();
} else {
  report();
}

function table() {
  const pieces = readdirSync(out).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')));
  const cells = ['rnn', 'gru', 'lstm'].filter((c) => pieces.some((p) => p.cell === c));
  const names = [...new Set(pieces.map((p) => p.series))].sort();
  const short = (n) => n.replace('artificialWithAnomaly__', 'art/').replace('realAdExchange__', 'adx/').replace('_results', '').replace('realTraffic__', 'traffic/').replace('realTweets__', 'tweets/');
  const f1 = (s) => (s.labelled === 0 ? 'n/a' : s.f1.toFixed(2));
  const nab = (s) => (Number.isFinite(s.nab) ? s.nab.toFixed(0) : 'n/a');
  const rows = names.map((name) => {
    const byCell = Object.fromEntries(cells.map((c) => [c, pieces.find((p) => p.cell === c && p.series === name)]));
    const any = Object.values(byCell).find(Boolean);
    const results = Object.fromEntries(cells.map((c) => [c, byCell[c] ? { before: variant(byCell[c], 'smooth5'), after: variant(byCell[c], 'smooth5+local') } : undefined]));
    return { name, group: any.group, any, results };
  });
  const nabDev = rows.filter((r) => !r.group.startsWith('H'));
  const cols = (n) => Array.from({ length: n }, () => '---|').join('');
  console.log('Default settings (localised):');
  console.log(`| series | composite F1: ${cells.join(' | ')} | z-score | Hampel | flag everything | windows / FP runs: ${cells.join(' | ')} | z-score | NAB: ${cells.join(' | ')} | z-score | Hampel |`);
  console.log(`|---|${cols(3 * cells.length + 6)}`);
  for (const { name, group, any, results } of nabDev) {
    const z = any.baselines['rolling z-score'];
    const after = (c, f) => (results[c] ? f(results[c].after) : 'not run');
    console.log(`| ${group} ${short(name)} | ${cells.map((c) => after(c, f1)).join(' | ')} | ${f1(z)} | ${f1(any.baselines.hampel)} | ${f1(any.everything)} | ${cells.map((c) => after(c, (e) => `${e.detected}/${e.labelled}, ${e.fp}`)).join(' | ')} | ${z.detected}/${z.labelled}, ${z.fp} | ${cells.map((c) => after(c, nab)).join(' | ')} | ${nab(z)} | ${nab(any.baselines.hampel)} |`);
  }
  console.log('\nBefore → after localising (composite F1, NAB):');
  console.log(`| series | composite F1: ${cells.join(' | ')} | NAB: ${cells.join(' | ')} |`);
  console.log(`|---|${cols(2 * cells.length)}`);
  for (const { name, group, results } of nabDev) {
    const pair = (c, f) => (results[c] ? `${f(results[c].before)} → ${f(results[c].after)}` : 'not run');
    console.log(`| ${group} ${short(name)} | ${cells.map((c) => pair(c, f1)).join(' | ')} | ${cells.map((c) => pair(c, nab)).join(' | ')} |`);
  }
  for (const group of ['A', 'B', 'A+B', 'H', 'H2']) {
    const sel = rows.filter((r) => (group === 'A+B' ? !r.group.startsWith('H') : r.group === group));
    if (sel.length === 0) continue;
    const scored = sel.filter((r) => r.any.everything.labelled > 0);
    const total = (pick) => {
      const list = sel.map(pick);
      const sum = (f) => list.reduce((a, s) => a + f(s), 0);
      const mean = scored.map(pick).reduce((a, s) => a + (s.f1 || 0), 0) / scored.length;
      const wins = scored.filter((r) => (pick(r).f1 || 0) > (r.any.baselines['rolling z-score'].f1 || 0) && (pick(r).f1 || 0) > (r.any.everything.f1 || 0)).length;
      const n = A.nabTotal(list.map((s) => ({ raw: s.nabRaw, nullScore: s.nabNull, perfect: s.nabPerfect, normalised: s.nab })));
      return `F1 ${mean.toFixed(2)}, ${sum((s) => s.detected)}/${sum((s) => s.labelled)} windows, ${sum((s) => s.fp)} FP runs, NAB ${n.toFixed(1)}, wins ${wins}/${scored.length}`;
    };
    console.log(`\ntotal ${group}:`);
    for (const c of cells) if (sel.every((r) => r.results[c])) console.log(`  ${c} before: ${total((r) => r.results[c].before)}\n  ${c} after:  ${total((r) => r.results[c].after)}`);
    console.log(`  z-score: ${total((r) => r.any.baselines['rolling z-score'])}\n  hampel: ${total((r) => r.any.baselines.hampel)}\n  everything: ${total((r) => r.any.everything)}`);
  }
}

function summary(e) {
  return { f1: e.metrics.composite.f1, detected: e.metrics.events.detected, labelled: e.metrics.events.labelled, fp: e.metrics.events.falsePositiveRuns, nab: e.nab.normalised, nabRaw: e.nab.raw, nabNull: e.nab.nullScore, nabPerfect: e.nab.perfect };
}

function smoothed(points, k) {
  const squared = points.map((p) => p * p);
  const s = new Float64Array(points.length).fill(Number.NaN);
  for (let t = k - 1; t < points.length; t++) {
    let total = 0;
    for (let j = t - k + 1; j <= t; j++) total += squared[j];
    s[t] = Math.sqrt(total / k);
  }
  return s;
}

function variant(piece, name) {
  const labels = Uint8Array.from(piece.labels);
  const { evaluateFrom, holdoutEnd } = piece.regions;
  const points = Float64Array.from(piece.pointScores, (v) => (v === null ? Number.NaN : v));
  let scores, threshold, localise;
  if (name.startsWith('smooth5')) {
    scores = Float64Array.from(piece.scores, (v) => (v === null ? Number.NaN : v));
    threshold = piece.threshold;
  } else {
    const k = name.startsWith('smooth1') ? 1 : 3;
    scores = k === 1 ? points : smoothed(points, k);
    threshold = A.thresholdOf(scores, piece.window + k - 1, holdoutEnd, { rule: 'pot' });
  }
  localise = name.includes('+local');
  const pointThreshold = name.endsWith('+localP') ? A.thresholdOf(points, piece.window, holdoutEnd, { rule: 'pot' }) : threshold;
  let flags = A.flag(scores, threshold);
  if (localise) flags = A.localiseRuns(A.persistentRuns(flags, minRun), points, pointThreshold);
  flags = flags.map((f, t) => (t >= evaluateFrom ? f : 0));
  return summary({ metrics: A.evaluate(flags, labels, { from: evaluateFrom, tolerance: piece.window }), nab: A.nabScore(flags, labels, { from: evaluateFrom }) });
}

function report() {
  const pieces = readdirSync(out).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')));
  const variants = ['smooth5', 'smooth5+local', 'smooth5+localP', 'smooth1', 'smooth3+localP'];
  const fmt = (s) => (s.labelled === 0 ? `  n/a ${s.detected}/${s.labelled},${String(s.fp).padStart(2)} ${Number.isFinite(s.nab) ? s.nab.toFixed(0).padStart(4) : ' n/a'}` : `${s.f1.toFixed(2).padStart(5)} ${s.detected}/${s.labelled},${String(s.fp).padStart(2)} ${s.nab.toFixed(0).padStart(4)}`);
  for (const cell of [...new Set(pieces.map((p) => p.cell))]) {
    console.log(`\n${cell}: composite F1, windows/labelled, FP runs, NAB per variant; then the z-score and flag everything`);
    console.log('series'.padEnd(48), [...variants, 'z-score', 'hampel', 'everything'].map((v) => v.padStart(20)).join(''));
    const rows = pieces.filter((p) => p.cell === cell).map((p) => {
      const results = Object.fromEntries(variants.map((v) => [v, variant(p, v)]));
      const check = results.smooth5;
      if (check.f1 !== p.detect.f1 && !(Number.isNaN(check.f1) && p.detect.f1 === null)) console.log(`  (mismatch on ${p.series}: ${check.f1} vs detect ${p.detect.f1})`);
      return { p, results: { ...results, 'z-score': p.baselines['rolling z-score'], hampel: p.baselines.hampel, everything: p.everything } };
    });
    for (const { p, results } of rows) console.log(`${p.group} ${p.series.slice(0, 46).padEnd(46)}`, Object.values(results).map((s) => fmt(s).padStart(20)).join(''));
    for (const group of ['A', 'B', 'A+B', 'H', 'H2']) {
      const sel = rows.filter((r) => (group === 'A+B' ? !r.p.group.startsWith('H') : r.p.group === group));
      const scored = sel.filter((r) => r.results.smooth5.labelled > 0);
      const line = [...variants, 'z-score', 'hampel', 'everything'].map((v) => {
        const sum = (f) => sel.reduce((a, r) => a + f(r.results[v]), 0);
        const mean = scored.reduce((a, r) => a + (r.results[v].f1 || 0), 0) / Math.max(1, scored.length);
        const wins = scored.filter((r) => (r.results[v].f1 || 0) > (r.results['z-score'].f1 || 0) && (r.results[v].f1 || 0) > (r.results.everything.f1 || 0)).length;
        const nab = A.nabTotal(sel.map((r) => ({ raw: r.results[v].nabRaw, nullScore: r.results[v].nabNull, perfect: r.results[v].nabPerfect, normalised: r.results[v].nab })));
        return `${mean.toFixed(2)} ${sum((s) => s.detected)}/${sum((s) => s.labelled)},${sum((s) => s.fp)} ${nab.toFixed(0)} w${wins}/${scored.length}`.padStart(20);
      });
      console.log(`total ${group}`.padEnd(48), line.join(''));
    }
  }
}
