// `node tests/experiments/vae-tc-rotation.mjs` (after `npm run build`): how much of the total
// correlation that rotating two uniform factors off the latent axes adds the minibatch-weighted
// estimator sees at each batch size M (Chen et al.'s N = 737,280). Codes: x and y on 32 levels
// each, the third latent on 6 (scale), posterior σ 0.05 or 0.2, the other 7 latents at the prior;
// the x–y plane rotated by 0, 15, 30 and 45°. Prints the mean estimate over 4,096 rows per cell
// (a constant offset of the estimator included; only the differences across angles matter).
// About 2.5 CPU minutes; never part of npm test.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { totalCorrelation } = await import(pathToFileURL(join(root, 'dist/train/vae/total-correlation.js')).href);
const { createRandom } = await import(pathToFileURL(join(root, 'dist/random.js')).href);
const D = 10, N = 737280, SPREAD = 1.7;
const random = createRandom(3);
function batchTc(M, theta, sigma) {
  const z = new Float64Array(M * D), mu = new Float64Array(M * D), logvar = new Float64Array(M * D);
  const [c, s] = [Math.cos(theta), Math.sin(theta)];
  for (let i = 0; i < M; i++) {
    const [x, y, scale] = [random.int(32) / 31, random.int(32) / 31, random.int(6) / 5].map((v) => (v - 0.5) * 2 * SPREAD);
    const code = [c * x - s * y, s * x + c * y, scale];
    for (let j = 0; j < D; j++) {
      const at = i * D + j;
      [mu[at], logvar[at]] = j < 3 ? [code[j], 2 * Math.log(sigma)] : [0, 0];
      z[at] = mu[at] + Math.exp(logvar[at] / 2) * random.normal();
    }
  }
  return totalCorrelation(z, mu, logvar, D, N).value;
}
for (const sigma of [0.05, 0.2]) {
  for (const M of [32, 64, 256, 1024, 2048]) {
    const reps = Math.max(2, Math.round(4096 / M));
    const means = [0, 15, 30, 45].map((deg) => {
      let total = 0;
      for (let k = 0; k < reps; k++) total += batchTc(M, (deg * Math.PI) / 180, sigma);
      return total / reps;
    });
    console.log(`σ ${sigma}  M ${String(M).padStart(4)}: TC at 0/15/30/45°: ${means.map((v) => v.toFixed(3)).join(' ')}  (45° − 0°: ${(means[3] - means[0]).toFixed(3)})`);
  }
}
