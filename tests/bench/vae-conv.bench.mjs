// Conv VAE training speed (against dist/): `vae sweep --arch conv` (Burgess et al.'s 4 conv
// layers 32-32-64-64, 4×4 stride 2, dense 256, latent 10, transposed-conv decoder) on the same
// dSprites-like sprites, batch 64, Adam, beta-TCVAE at β 4. Images per second of CPU time (drifts
// less than the clock on a shared machine), the best of BENCH_REPEATS rounds (default 3), with
// anchors measured in the same run:
//   - the MLP (--arch mlp, hidden 256) on the same images;
//   - the same conv model with each conv product as one gemm over the whole batch
//     (useConvChunks(false): conv.ts's fallback, the path before conv-wasm.ts);
//   - with BENCH_BASELINE_DIST=<another build's dist/> (e.g. main's before a change), that
//     build's conv training, loaded into the same process and run in alternation.
// Then the setting of issue 18's sweep (64×64, batch 16): this build against the baseline build
// (when given) as the median of paired rounds (each round runs both, in alternating order: on a
// shared machine the best-of ratios above swing by ±20 %), and against the MLP.
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const load = async (dist) => {
  const at = (p) => import(pathToFileURL(join(dist, p)).href);
  return { ...(await at('train/vae/sprites.js')), ...(await at('train/vae/train.js')), ...(await at('random.js')), conv: await at('engine/conv-wasm.js').catch(() => ({})) };
};
const current = await load(join(root, 'dist'));
const baseline = process.env.BENCH_BASELINE_DIST ? await load(resolve(process.env.BENCH_BASELINE_DIST)) : undefined;

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
let BATCH = 64;
console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)}; batch ${BATCH}, latent 10, hidden 256, beta-TCVAE β 4`);

/** One epoch over `batches` batches; images per CPU second. */
function imagesPerCpuSecond(lib, side, arch, batches) {
  const count = batches * BATCH;
  const sprites = lib.makeSprites(lib.createRandom(1), { side, count });
  const data = { count, dim: sprites.dim, values: sprites.values };
  const start = process.cpuUsage();
  lib.trainVae(data, undefined, lib.createRandom(2), { arch, latent: 10, hidden: 256, epochs: 1, batch: BATCH, beta: 4, objective: 'beta-tcvae' });
  const used = process.cpuUsage(start);
  return count / ((used.user + used.system) / 1e6);
}

/** The best of REPEATS rounds for each variant, the variants run in alternation (after a warm-up each). */
function compare(variants) {
  for (const v of variants) v.run();
  const best = variants.map(() => 0);
  for (let r = 0; r < REPEATS; r++) variants.forEach((v, i) => (best[i] = Math.max(best[i], v.run())));
  return best;
}

const withChunks = (on, f) => () => {
  current.conv.useConvChunks?.(on);
  try {
    return f();
  } finally {
    current.conv.useConvChunks?.(true);
  }
};

for (const side of [32, 64]) {
  const batches = side === 64 ? 3 : 8;
  const variants = [
    { name: 'mlp', run: () => imagesPerCpuSecond(current, side, 'mlp', 20) },
    { name: 'conv', run: () => imagesPerCpuSecond(current, side, 'conv', batches) },
    { name: 'conv, one gemm per product', run: withChunks(false, () => imagesPerCpuSecond(current, side, 'conv', batches)) },
    ...(baseline ? [{ name: 'conv, baseline build', run: () => imagesPerCpuSecond(baseline, side, 'conv', batches) }] : []),
  ];
  const best = compare(variants);
  const conv = best[1];
  console.log(`${side}×${side}: ` + variants.map((v, i) => `${v.name} ${best[i].toFixed(1)} images/s`).join(', '));
  console.log(`  conv against: mlp ×${(conv / best[0]).toFixed(3)}, one gemm per product ×${(conv / best[2]).toFixed(2)}` + (baseline ? `, baseline build ×${(conv / best[3]).toFixed(2)}` : ''));
}

// Issue 18's sweep setting: 64×64, batch 16 (what `vae sweep --arch conv --side 64 --batch 16` trains).
BATCH = 16;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const sweepVariants = [
  { name: 'conv', run: () => imagesPerCpuSecond(current, 64, 'conv', 4) },
  { name: 'mlp', run: () => imagesPerCpuSecond(current, 64, 'mlp', 40) },
  ...(baseline ? [{ name: 'conv, baseline build', run: () => imagesPerCpuSecond(baseline, 64, 'conv', 4) }] : []),
];
for (const v of sweepVariants) v.run();
const rounds = sweepVariants.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? [...sweepVariants.keys()].reverse() : [...sweepVariants.keys()];
  for (const i of order) rounds[i].push(sweepVariants[i].run());
}
const paired = (i) => median(rounds[0].map((v, r) => v / rounds[i][r]));
console.log(`64×64, batch 16 (the sweep's setting), medians of ${ROUNDS} rounds: ` + sweepVariants.map((v, i) => `${v.name} ${median(rounds[i]).toFixed(1)} images/s`).join(', '));
console.log(`  conv against: mlp ×${paired(1).toFixed(3)}` + (baseline ? `, baseline build ×${paired(2).toFixed(2)} (median of paired rounds: ${rounds[0].map((v, r) => (v / rounds[2][r]).toFixed(2)).join(' ')})` : ''));
