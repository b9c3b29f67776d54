// Conv VAE training speed (against dist/): `vae sweep --arch conv` (Burgess et al.'s 4 conv
// layers 32-32-64-64, 4×4 stride 2, dense 256, latent 10, transposed-conv decoder) against the
// MLP (--arch mlp, hidden 256) on the same dSprites-like sprites, batch 64, Adam. Samples per
// second of CPU time (drifts less than the clock on a shared machine), the best of
// BENCH_REPEATS rounds (default 3), and the MLP as the anchor of each side's ratio.
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const { makeSprites } = await dist('train/vae/sprites.js');
const { trainVae } = await dist('train/vae/train.js');
const { createRandom } = await dist('random.js');

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const BATCH = 64;
console.log(`machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)}; batch ${BATCH}, latent 10, hidden 256, beta 4`);

function samplesPerCpuSecond(side, arch, batches) {
  const count = batches * BATCH;
  const sprites = makeSprites(createRandom(1), { side, count });
  const data = { count, dim: sprites.dim, values: sprites.values };
  const run = () => {
    const start = process.cpuUsage();
    trainVae(data, undefined, createRandom(2), { arch, latent: 10, hidden: 256, epochs: 1, batch: BATCH, beta: 4 });
    const used = process.cpuUsage(start);
    return count / ((used.user + used.system) / 1e6);
  };
  run(); // warm-up
  let best = 0;
  for (let r = 0; r < REPEATS; r++) best = Math.max(best, run());
  return best;
}

for (const side of [32, 64]) {
  const mlp = samplesPerCpuSecond(side, 'mlp', 20);
  const conv = samplesPerCpuSecond(side, 'conv', side === 64 ? 3 : 8);
  console.log(`${side}×${side}: mlp ${mlp.toFixed(0).padStart(5)} samples/s, conv ${conv.toFixed(1).padStart(6)} samples/s (mlp/conv ${(mlp / conv).toFixed(1)})`);
}
