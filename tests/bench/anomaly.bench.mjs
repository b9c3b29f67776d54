// Anomaly benchmark (against dist/): training time per epoch on 10,000 points with hidden 32
// and window 50 (the figure), for rnn, gru and lstm; and the time to score every
// point (10,000 windows through the engine's forward path). One epoch = every training
// window (stride window/5 = 10 steps, so about 995 windows of 51 points) in batches of 16.
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { loadCell } = await import(join(root, 'dist', 'index.js'));
const anomaly = await import(join(root, 'dist', 'train', 'anomaly', 'index.js'));
const { createRandom } = await import(join(root, 'dist', 'random.js'));

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

for (const name of ['rnn', 'gru', 'lstm']) {
  const predictor = anomaly.createPredictor(loadCell(name), 1, HIDDEN, createRandom(1));
  const times = [];
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
    },
  });
  const perEpoch = Math.min(...times);
  const scoreStart = performance.now();
  anomaly.predictionErrors(predictor, z, POINTS, WINDOW);
  const scoring = performance.now() - scoreStart;
  console.log(
    `${name.padEnd(5)} training: ${(perEpoch / 1000).toFixed(2)} s per epoch (best of ${EPOCHS}; ${batches / EPOCHS} batches, ${(perEpoch / (batches / EPOCHS)).toFixed(1)} ms per batch); ` +
      `scoring all ${POINTS} points: ${(scoring / 1000).toFixed(2)} s`,
  );
}
