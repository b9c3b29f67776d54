// Why the gru finds aws-cpu seed 5's ramp and the rnn does not: scores around the labelled window against the threshold.
// `node tests/bench/ramp-diagnose.mjs [ROOT] rnn gru` after `node tests/bench/heldout-series.mjs write /tmp/wt13-reallike` (README: why the gru finds aws-cpu seed 5's ramp).
import { resolve } from 'node:path';
const root = resolve(process.argv[2] ?? new URL('../..', import.meta.url).pathname);
const io = await import(`${root}/dist/io/index.js`);
const anomaly = await import(`${root}/dist/train/anomaly/index.js`);
const { loadCell } = await import(`${root}/dist/load-cell.js`);
const { cleanSeries } = await import(`${root}/dist/io/series-clean.js`);
const file = process.env.SERIES ?? '/tmp/wt13-reallike/aws-cpu__seed5.csv';
const { series } = cleanSeries(io.readSeries(file, { missing: 'interpolate' }), { missing: 'interpolate', duplicates: 'mean' });
const timeStep = io.timeStepOf(series.timestamps);
const labels = series.labels;
const w0 = labels.indexOf(1), w1 = labels.lastIndexOf(1);
console.log(`length ${series.length}, window [${w0}, ${w1}], timeStep ${timeStep}`);
const v = series.values;
console.log('values every 25 steps from 3200:', Array.from({ length: 16 }, (_, k) => v[3200 + 25 * k]).join(' '));
for (const cell of process.env.DIAG2 ? [] : process.argv.slice(3)) {
  const d = anomaly.detect(series, { cell: loadCell(cell), hidden: 32, window: 50, horizon: 1, epochs: 20, smooth: 5, seed: 1, thresholdRule: { rule: 'pot', risk: 1e-3 }, seasonal: true, excludeBursts: false, levelAlarm: false, timeStep });
  const r = d.rnn;
  const s = r.scores, p = r.pointScores;
  const seg = (a, b, arr) => { let m = -Infinity, at = -1; for (let t = a; t <= b; t++) if (arr[t] > m) { m = arr[t]; at = t; } return [m, at]; };
  const [mw, aw] = seg(w0, w1, s);
  const [mp, ap] = seg(w0, w1, p);
  const [mAfter] = seg(w1 + 1, Math.min(series.length - 1, w1 + 300), s);
  const [mScored] = seg(d.regions.evaluateFrom, w0 - 1, s);
  const [mNormal] = seg(d.regions.fitEnd, d.regions.holdoutEnd - 1, s);
  const fl = []; for (let t = 0; t < series.length; t++) if (r.flagged[t]) fl.push(t);
  console.log(`\n${cell}: threshold ${r.threshold.toFixed(3)}; errorStd ${Array.from(d.model.errorStd).map((x) => x.toFixed(4))}; fit: replaced ${d.fit.replaced}`);
  console.log(`  max averaged score in window ${mw.toFixed(3)} at ${aw}; max point score in window ${mp.toFixed(3)} at ${ap}`);
  console.log(`  max averaged score: held-out part ${mNormal.toFixed(3)}, scored part before the window ${mScored.toFixed(3)}, 300 steps after it ${mAfter.toFixed(3)}`);
  console.log(`  flagged steps: ${fl.length ? fl.join(' ') : 'none'}`);
  const around = []; for (let t = w0; t <= w1; t += 10) around.push(`${t}:${s[t].toFixed(2)}/${p[t].toFixed(2)}`);
  console.log(`  averaged/point scores every 10 steps in the window: ${around.join(' ')}`);
  // Scores of the steps where the value moves (the integer series steps up through the ramp).
  const steps = []; for (let t = w0; t <= w1; t++) if (v[t] !== v[t - 1]) steps.push(p[t]);
  steps.sort((a, b) => b - a);
  console.log(`  point scores at steps where the value changes in the window (${steps.length}): top ${steps.slice(0, 8).map((x) => x.toFixed(2)).join(' ')}`);
}
// Second pass: blips in the normal part against the ramp's up-steps, per cell.
for (const cell of process.argv.slice(3)) {
  const d = anomaly.detect(series, { cell: loadCell(cell), hidden: 32, window: 50, horizon: 1, epochs: 20, smooth: 5, seed: 1, thresholdRule: { rule: 'pot', risk: 1e-3 }, seasonal: true, excludeBursts: false, levelAlarm: false, timeStep });
  const s = d.rnn.scores, p = d.rnn.pointScores;
  const blips = [];
  for (let t = 260; t < d.regions.holdoutEnd - 1; t++) if (v[t] - Math.max(v[t - 1], v[t + 1]) >= 3) blips.push(t);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const fmt = (x) => x.toFixed(2);
  console.log(`\n${cell} (threshold ${fmt(d.rnn.threshold)}): ${blips.length} blips in the normal part; point score at the blip ${fmt(mean(blips.map((t) => p[t])))}, the step after ${fmt(mean(blips.map((t) => p[t + 1])))}, the averaged score's peak ${fmt(mean(blips.map((t) => Math.max(...[0, 1, 2, 3, 4].map((k) => s[t + k])))))} (means)`);
  const ups = [], downs = [], flat = [], before = [];
  for (let t = 3306; t <= 3560; t++) (v[t] > v[t - 1] ? ups : v[t] < v[t - 1] ? downs : flat).push(p[t]);
  for (let t = d.regions.evaluateFrom; t < 3104; t++) if (v[t] !== v[t - 1] && Math.abs(v[t] - v[t - 1]) < 3) before.push(p[t]);
  console.log(`  ramp (3306-3560): ${ups.length} up-steps mean point score ${fmt(mean(ups))}, ${downs.length} down-steps ${fmt(mean(downs))}, ${flat.length} unchanged ${fmt(mean(flat))}; ordinary ±1 steps before the window ${fmt(mean(before))} (${before.length})`);
}
