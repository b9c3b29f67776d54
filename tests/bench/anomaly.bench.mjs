// Anomaly benchmark (against dist/): training time per epoch on 10,000 points with hidden 32
// and window 50 (the issue's figure), for rnn, gru and lstm; and the time to score every
// point (10,000 windows through the engine's forward path). One epoch = every training
// window (stride window/5 = 10 steps, so about 995 windows of 51 points) in batches of 16.
// gru and lstm also run once more with their gate products unfused (one matrix product per
// gate, as before compile's fuseMatmuls): the anchor for the fused path's speed-up, same run.
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { loadCell } = await import(join(root, 'dist', 'index.js'));
const anomaly = await import(join(root, 'dist', 'train', 'anomaly', 'index.js'));
const { createRandom } = await import(join(root, 'dist', 'random.js'));
const { compile } = await import(join(root, 'dist', 'engine', 'index.js'));

const POINTS = 10_000;
const HIDDEN = 32;
const WINDOW = 50;
const EPOCHS = 2;
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg()[0].toFixed(2)}; Node ${process.version}`);
console.log(`${POINTS} points, hidden ${HIDDEN}, window ${WINDOW}, batch 16, stride 10, float64`);

const series = anomaly.synthSeries({ seed: 1, length: POINTS, normalFraction: 0.9, count: 1 });
let mean = 0;
for (const v of series.values) mean += v / POINTS;
let variance = 0;
for (const v of series.values) variance += (v - mean) ** 2 / POINTS;
const z = series.values.map((v) => (v - mean) / Math.sqrt(variance));

for (const [name, fused] of [['rnn', true], ['gru', true], ['gru', false], ['lstm', true], ['lstm', false]]) {
  const created = anomaly.createPredictor(loadCell(name), 1, HIDDEN, createRandom(1));
  const predictor = fused ? created : { ...created, compiled: compile(created.cell, created.compiled.sizes) };
  const times = [];
  const cpu = [];
  let cpuStarted = process.cpuUsage();
  let batches = 0;
  let started = performance.now();
  anomaly.trainPredictor(predictor, z, POINTS, {
    window: WINDOW,
    epochs: EPOCHS,
    clip: 1,
    random: createRandom(2),
    onProgress: (done) => (batches = done),
    onEpoch: () => {
      const now = performance.now();
      times.push(now - started);
      started = now;
      const used = process.cpuUsage(cpuStarted);
      cpu.push((used.user + used.system) / 1000);
      cpuStarted = process.cpuUsage();
    },
  });
  const perEpoch = Math.min(...times);
  const scoreStart = performance.now();
  // (scoring runs the forward schedule, the same with or without fused products)
  anomaly.predictionErrors(predictor, z, POINTS, WINDOW);
  const scoring = performance.now() - scoreStart;
  if (!fused) {
    console.log(`${`${name} unfused`.padEnd(13)} training: ${(perEpoch / 1000).toFixed(2)} s per epoch, ${(Math.min(...cpu) / 1000).toFixed(2)} s CPU`);
    continue;
  }
  console.log(
    `${name.padEnd(13)} training: ${(perEpoch / 1000).toFixed(2)} s per epoch, ${(Math.min(...cpu) / 1000).toFixed(2)} s CPU (best of ${EPOCHS}; ${batches / EPOCHS} batches, ${(perEpoch / (batches / EPOCHS)).toFixed(1)} ms per batch); ` +
      `scoring all ${POINTS} points: ${(scoring / 1000).toFixed(2)} s`,
  );
}
