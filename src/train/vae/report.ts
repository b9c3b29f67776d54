/**
 * VAE stage: results as text. CSV files, terminal tables and JSON with sorted keys, so the
 * same run writes the same bytes. Pure string building; the CLI writes the files.
 */
import type { GradvarResult } from './gradvar.js';
import type { ImbalanceSweepResult } from './imbalance-sweep.js';
import type { SweepResult } from './sweep.js';
import type { EpochRow } from './train.js';

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
    ['beta', 'reconstruction', 'kl', 'active_dims', 'mig', 'mig_std', ...result.factorNames.map((f) => `mig_${f}`)],
    result.rows.map((r) => [r.beta, r.reconstruction, r.kl, r.activeDims, r.mig, r.migStd, ...r.migPerFactor]),
  );
}

export function sweepTable(result: SweepResult): string {
  return formatTable(
    ['beta', 'recon (nats)', 'KL (nats)', `active / ${result.latent}`, result.seeds > 1 ? `MIG ± sd (${result.seeds} seeds)` : 'MIG', ...result.factorNames.map((f) => `gap ${f}`)],
    result.rows.map((r) => [
      num(r.beta),
      r.reconstruction.toFixed(2),
      r.kl.toFixed(2),
      num(r.activeDims, 3),
      result.seeds > 1 ? `${r.mig.toFixed(3)} ± ${r.migStd.toFixed(3)}` : r.mig.toFixed(3),
      ...r.migPerFactor.map((g) => g.toFixed(3)),
    ]),
  );
}

export function imbalanceSweepCsv(result: ImbalanceSweepResult): string {
  return csv(
    ['encoder', 'profile', 'ratio', 'label_entropy', 'score', 'divergence', 'reference', 'counts'],
    result.runs.map((r) => [r.encoder, r.profile, r.ratio, r.labelEntropy, r.score, r.divergence, r.reference, r.counts.join(' ')]),
  );
}

export const ENCODER_DESCRIPTIONS: Readonly<Record<string, string>> = {
  shared: 'one encoder trained on all training digits, each subset only encoded',
  'per-subset': 'a fresh VAE trained on each subset (as on your own data)',
};

export function imbalanceSweepTable(result: ImbalanceSweepResult): string {
  const table = formatTable(
    ['encoder', 'profile', 'ratio', 'log C − H(labels)', 'score', 'largest/smallest'],
    result.runs.map((r) => [
      r.encoder,
      r.profile,
      num(r.ratio),
      (Math.log(r.counts.length) - r.labelEntropy).toFixed(3),
      r.score.toFixed(3),
      `${Math.max(...r.counts)}/${Math.min(...r.counts)}`,
    ]),
  );
  const lines: string[] = [table];
  for (const [encoder, c] of Object.entries(result.correlations)) {
    lines.push(`${encoder} encoder (${ENCODER_DESCRIPTIONS[encoder] ?? encoder}):`);
    const corr = (name: string, v: { withRatio: number; withEntropyDeficit: number }) =>
      `  ${name.padEnd(10)} Spearman(score, ratio) = ${v.withRatio.toFixed(2).padStart(5)}   Spearman(score, −label entropy) = ${v.withEntropyDeficit.toFixed(2).padStart(5)}`;
    for (const [profile, v] of Object.entries(c!.byProfile)) lines.push(corr(profile, v));
    lines.push(corr('all runs', c!.overall));
  }
  return lines.join('\n') + '\n';
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
