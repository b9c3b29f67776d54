/**
 * VAE stage: results as text. CSV files, terminal tables and JSON with sorted keys, so the
 * same run writes the same bytes. Pure string building; the CLI writes the files.
 */
import type { GradvarResult } from './gradvar.js';
import type { ImbalanceSweepResult } from './imbalance-sweep.js';
import type { SweepResult } from './sweep.js';
import { entropy, labelCounts } from './data.js';
import type { VaeConfig } from './model.js';
import type { EpochRow } from './train.js';
import { projectTo2d } from './pca.js';

/** A number for CSV and tables: fixed significant digits, NaN as an empty field. */
function num(value: number, digits = 6): string {
  if (!Number.isFinite(value)) return '';
  return Number(value.toPrecision(digits)).toString();
}

function csv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [header.join(','), ...rows.map((r) => r.map((v) => (typeof v === 'number' ? num(v) : v)).join(','))].join('\n') + '\n';
}

/** Per-epoch losses (nats per row) as CSV. */
export function historyCsv(history: readonly EpochRow[]): string {
  return csv(
    ['epoch', 'train_loss', 'train_reconstruction', 'train_kl', 'test_loss', 'test_reconstruction', 'test_kl'],
    history.map((r) => [r.epoch, r.trainLoss, r.trainReconstruction, r.trainKl, r.testLoss, r.testReconstruction, r.testKl]),
  );
}

/** A plain aligned table: first column left-aligned, the rest right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

export function sweepCsv(result: SweepResult): string {
  return csv(
    ['objective', 'beta', 'beta_normalised', 'reconstruction', 'kl', 'active_dims', 'mig', 'mig_std', 'mig_by_seed', ...result.migFactors.map((f) => `mig_${f}`), 'mig_histogram', 'mig_histogram_std'],
    result.rows.map((r) => [r.objective, r.beta, r.betaNormalised, r.reconstruction, r.kl, r.activeDims, r.mig, r.migStd, r.migBySeed.map((m) => num(m, 4)).join(' '), ...r.migPerFactor, r.migHistogram, r.migHistogramStd]),
  );
}

export function sweepTable(result: SweepResult): string {
  const sd = result.seeds > 1;
  const table = formatTable(
    ['objective', 'beta', 'β norm', 'recon (nats)', 'KL (nats)', `active / ${result.latent}`, sd ? 'MIG ± sd' : 'MIG', ...result.migFactors.map((f) => `gap ${f}`), sd ? 'MIG hist ± sd' : 'MIG hist'],
    result.rows.map((r) => [
      r.objective,
      num(r.beta),
      num(r.betaNormalised, 3),
      r.reconstruction.toFixed(2),
      r.kl.toFixed(2),
      num(r.activeDims, 3),
      sd ? `${r.mig.toFixed(3)} ± ${r.migStd.toFixed(3)}` : r.mig.toFixed(3),
      ...r.migPerFactor.map((g) => g.toFixed(3)),
      sd ? `${r.migHistogram.toFixed(3)} ± ${r.migHistogramStd.toFixed(3)}` : r.migHistogram.toFixed(3),
    ]),
  );
  return (
    `dSprites-like sprites ${result.side}×${result.side}: ${result.train} training + ${result.heldOut} held-out images; ${result.seeds} seed(s) per row, latent ${result.latent}, ${result.arch} encoder/decoder, ${result.epochs} epoch${result.epochs === 1 ? '' : 's'}\n` +
    `β norm: β × latent / pixels = β × ${result.latent}/${result.side ** 2} (Higgins et al. 2017: the reconstruction sums over every pixel, so at 64×64 a β weighs a quarter of what it does at 32×32)\n` +
    `MIG: Chen et al. 2018 (sampled codes, factors ${result.migFactors.join(', ')}); MIG hist: disentanglement_lib (mean codes, 20 bins, ${result.factorNames.join(', ')})\n` +
    table
  );
}

export function imbalanceSweepCsv(result: ImbalanceSweepResult): string {
  const names = result.estimators.map((e) => e.name);
  const kNames = Object.keys(result.runs[0]?.chosenK ?? {});
  return csv(
    ['profile', 'ratio', 'seed', 'true_ratio', 'label_entropy', 'counts', ...names.map((n) => n.replace(/ /g, '_')), ...kNames.map((n) => `k_${n.replace(/ /g, '_')}`)],
    result.runs.map((r) => [r.profile, r.ratio, r.seed, r.trueRatio, r.labelEntropy, r.counts.join(' '), ...names.map((n) => r.estimates[n]!), ...kNames.map((n) => r.chosenK[n]!)]),
  );
}

/** The label-free estimator (oracle rows left out) with the highest Spearman on a profile, or on its worst profile when `profile` is omitted. */
export function bestEstimator(result: ImbalanceSweepResult, profile?: string) {
  const score = (e: ImbalanceSweepResult['estimators'][number]) => (profile ? e.spearman[profile]! : Math.min(...result.profiles.map((p) => e.spearman[p]!)));
  return result.estimators.filter((e) => !e.oracle).reduce((a, b) => (score(b) > score(a) ? b : a));
}

export function imbalanceSweepTable(result: ImbalanceSweepResult): string {
  const seeds = Math.max(...result.runs.map((r) => r.seed));
  const ratios = [...new Set(result.runs.map((r) => r.ratio))];
  const table = formatTable(
    ['estimator', ...result.profiles.map((p) => `Spearman ${p}`), ...result.profiles.map((p) => `MAE log ratio ${p}`)],
    result.estimators.map((e) => [
      e.name,
      ...result.profiles.map((p) => e.spearman[p]!.toFixed(3)),
      ...result.profiles.map((p) => (e.isRatio ? e.maeLogRatio[p]!.toFixed(3) : '')),
    ]),
  );
  const best = result.profiles.map((p) => {
    const e = bestEstimator(result, p);
    return `best label-free on ${p}: ${e.name} (Spearman ${e.spearman[p]!.toFixed(3)})`;
  });
  const both = bestEstimator(result);
  best.push(`best label-free on every profile: ${both.name} (Spearman ${result.profiles.map((p) => `${p} ${both.spearman[p]!.toFixed(3)}`).join(', ')}); oracle-k rows are told the number of classes`);
  return (
    `${result.runs.length} subsets: profiles ${result.profiles.join(', ')} × ratios ${ratios.join(', ')} × ${seeds} seeds; Spearman with the true (labelled) largest/smallest class ratio per profile\n` +
    table +
    best.join('\n') +
    '\n'
  );
}

export function gradvarCsv(result: GradvarResult): string {
  return csv(
    ['samples', 'score_function_variance', 'score_function_exact', 'reparameterized_variance', 'reparameterized_exact', 'score_function_mean', 'reparameterized_mean'],
    result.rows.map((r) => [r.samples, r.scoreFunctionVariance, r.scoreFunctionExact, r.reparameterizedVariance, r.reparameterizedExact, r.scoreFunctionMean, r.reparameterizedMean]),
  );
}

export function gradvarTable(result: GradvarResult): string {
  const table = formatTable(
    ['samples', 'score-function var', '(exact)', 'reparam var', '(exact)', 'ratio'],
    result.rows.map((r) => [
      String(r.samples),
      num(r.scoreFunctionVariance, 4),
      num(r.scoreFunctionExact, 4),
      num(r.reparameterizedVariance, 4),
      num(r.reparameterizedExact, 4),
      (r.scoreFunctionVariance / r.reparameterizedVariance).toFixed(1),
    ]),
  );
  return `q(z) = N(${result.mu}, ${result.sigma}²), f(z) = z², true gradient d/dμ E[f] = ${result.trueGradient}; ${result.repeats} estimates per row\n${table}`;
}

/** What `vae train` prints: data, model, final test losses, active dimensions and speed. */
export function trainSummary(run: { source: string; model: VaeConfig; input: number; history: readonly EpochRow[]; activeDims: number; seconds: number; rowsPerSecond: number }): string {
  const last = run.history.at(-1)!;
  const { model } = run;
  return (
    `data: ${run.source}\nmodel: ${run.input}-${model.hidden}-${model.latent}, beta ${model.beta}, ${model.likelihood} likelihood\n` +
    `test negative ELBO after ${last.epoch} epochs: ${last.testLoss.toFixed(2)} nats per row (reconstruction ${last.testReconstruction.toFixed(2)} + KL ${last.testKl.toFixed(2)})\n` +
    `active latent dimensions: ${run.activeDims} of ${model.latent}\n` +
    `training: ${run.seconds.toFixed(1)} s, ${run.rowsPerSecond.toFixed(0)} rows/s (with evaluation)\n`
  );
}

/** What `vae imbalance` on one dataset writes (JSON) and prints; the labels, when present, are only compared with. */
export function imbalanceSummary(run: { score: number; divergence: number; reference: number; rows: number; k: number; latent: number; encoder?: string; labels?: Int32Array }) {
  const truth = run.labels ? labelCounts(run.labels).filter((c) => c > 0) : undefined;
  const json = {
    score: run.score,
    divergence: run.divergence,
    reference: run.reference,
    rows: run.rows,
    k: run.k,
    latent: run.latent,
    encoder: run.encoder ?? 'trained on the data itself',
    ...(truth ? { labelEntropy: entropy(truth), labelEntropyDeficit: Math.log(truth.length) - entropy(truth), classRatio: Math.max(...truth) / Math.min(...truth) } : {}),
  };
  const text =
    `label-free imbalance score: ${run.score.toFixed(3)} nats (about log C − H(class proportions) for C separated, equal-shaped classes; 0 for a Gaussian)\n` +
    `  flattening divergence ${run.divergence.toFixed(3)} − Gaussian reference ${run.reference.toFixed(3)}, ${run.rows} rows, latent ${run.latent}, k = ${run.k}\n` +
    (run.encoder
      ? `  encoder: ${run.encoder}\n`
      : `  encoder: a VAE trained on these rows. Its KL term pulls the latent towards N(0, I) whatever the class sizes, so compare scores\n  from one shared encoder (--model, e.g. trained on a reference pool); \`vae imbalance --sweep\` compares the estimators\n`) +
    (truth ? `labels (not used by the score): entropy deficit ${json.labelEntropyDeficit!.toFixed(3)} nats, largest/smallest class ${json.classRatio!.toFixed(1)}\n` : '');
  return { json, text };
}

/** Side of square images of `dim` pixels, or undefined when dim is not a square. */
export function imageSide(dim: number): number | undefined {
  const side = Math.round(Math.sqrt(dim));
  return side * side === dim ? side : undefined;
}

/** The first `count` rows of a row-major array, one view each (an image grid's cells). */
export function rowViews(values: Float32Array, dim: number, count: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => values.subarray(i * dim, (i + 1) * dim));
}

/** The reconstructions grid's cells: bands of `perRow` originals, each band followed by their reconstructions. */
export function reconstructionCells(originals: Float32Array, rebuilt: Float32Array, dim: number, pairs: number, perRow: number): Float32Array[] {
  const [before, after] = [rowViews(originals, dim, pairs), rowViews(rebuilt, dim, pairs)];
  const cells: Float32Array[] = [];
  for (let start = 0; start < pairs; start += perRow) {
    const n = Math.min(perRow, pairs - start);
    cells.push(...before.slice(start, start + n), ...after.slice(start, start + n));
  }
  return cells;
}

/** One panel of `vae train`'s curves: a quantity on the training and the test rows, per epoch. */
export interface CurvePanel {
  readonly title: string;
  readonly train: number[];
  readonly test: number[];
}

/** `vae train`'s three panels (the loss, its reconstruction and its KL) against `epochs`. */
export function trainCurvePanels(history: readonly EpochRow[], beta: number): { epochs: number[]; loss: CurvePanel; reconstruction: CurvePanel; kl: CurvePanel } {
  return {
    epochs: history.map((r) => r.epoch),
    loss: { title: beta === 1 ? 'Negative ELBO' : `Loss (reconstruction + ${beta}·KL; test: β = 1)`, train: history.map((r) => r.trainLoss), test: history.map((r) => r.testLoss) },
    reconstruction: { title: 'Reconstruction', train: history.map((r) => r.trainReconstruction), test: history.map((r) => r.testReconstruction) },
    kl: { title: 'KL(q(z|x) ‖ p(z))', train: history.map((r) => r.trainKl), test: history.map((r) => r.testKl) },
  };
}

/**
 * The first `shown` latent means projected onto two axes (the latent's own when it has two),
 * coloured by label when there are labels; the projection is fitted on the first `fitted` rows.
 */
export function latentPoints(means: Float64Array, latent: number, shown: number, labels?: Int32Array, fitted = shown): { x: number; y: number; category?: string }[] {
  const flat = projectTo2d(means.subarray(0, fitted * latent), latent);
  return Array.from({ length: shown }, (_, i) => ({ x: flat[2 * i]!, y: flat[2 * i + 1]!, ...(labels ? { category: String(labels[i]) } : {}) }));
}

const SPACE_NAMES: Record<string, string> = { vae: 'VAE latent', pca: 'PCA', pixels: 'raw pixels' };

/** `vae imbalance --sweep`'s bars: per profile, each estimator's Spearman, grouped by space. */
export function imbalanceSweepBars(result: ImbalanceSweepResult): { profile: string; bars: { category: string; group: string; value: number }[] }[] {
  return result.profiles.map((profile) => ({
    profile,
    bars: result.estimators.map((e) => ({ category: SPACE_NAMES[e.name.split(' ')[0]!]!, group: e.name.split(' ')[1]!, value: e.spearman[profile]! })),
  }));
}

/** What `vae imbalance --sweep` prints before its table: the subsets and the three spaces. */
export function imbalanceSweepIntro(run: { total: number; latent: number; epochs: number; trainCount: number; poolCount: number }): string {
  return (
    `MNIST subsets of ${run.total} training digits; spaces: VAE latent (${run.latent}-D, one encoder trained on all ${run.trainCount} unlabelled training digits, ${run.epochs} epochs), PCA (${run.latent} components of the same digits), raw pixels\n` +
    `pool-* estimators compare each subset with the ${run.poolCount} held-out digits, unlabelled (their classes are balanced only as MNIST's are)\n`
  );
}
