/**
 * train/anomaly: range-based precision and recall (Tatbul, Lee, Zdonik, Alam, Gottschlich 2018,
 * "Precision and Recall for Time Series", NeurIPS). For each real range R_i and the predicted
 * ranges P_1..P_m:
 *   Recall(R_i)    = α·Existence(R_i) + (1 − α)·Cardinality(R_i)·Σ_j ω(R_i, R_i ∩ P_j)
 *   Precision(P_j) =                    Cardinality(P_j)·Σ_i ω(P_j, P_j ∩ R_i)
 * averaged over the real (recall) or predicted (precision) ranges. Parameters used here:
 *   - α = 0.5 for recall (half for finding a window at all, half for how much of it is
 *     flagged); precision has no existence term in the paper (α = 0);
 *   - flat positional bias δ: ω(A, A ∩ B) = |A ∩ B| / |A|, every step of a range counts alike
 *     (NAB's windows are centred on the event, so no end of a window is more telling);
 *   - cardinality γ(x) = 1/x, where x is the number of ranges of the other kind that overlap
 *     (1 when x ≤ 1): a window flagged in three broken pieces counts a third.
 */
import type { Segment } from './types.js';
import { f1Of, type Scores } from './scores.js';

/** Recall's existence weight α (see the file comment). */
export const RANGE_RECALL_ALPHA = 0.5;

function overlap(a: Segment, b: Segment): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

/** Cardinality(A)·Σ ω(A, A ∩ B_j), flat bias, γ = 1/x; and whether anything overlapped. */
function overlapReward(range: Segment, others: readonly Segment[]): { reward: number; exists: boolean } {
  let covered = 0;
  let count = 0;
  for (const other of others) {
    const o = overlap(range, other);
    if (o > 0) {
      covered += o;
      count++;
    }
  }
  const cardinality = count <= 1 ? 1 : 1 / count;
  return { reward: (cardinality * covered) / (range.end - range.start), exists: count > 0 };
}

/** Range-based precision and recall of the predicted `runs` against the real `windows`; F1 their harmonic mean. */
export function rangeScores(windows: readonly Segment[], runs: readonly Segment[]): Scores {
  let recallSum = 0;
  for (const w of windows) {
    const { reward, exists } = overlapReward(w, runs);
    recallSum += RANGE_RECALL_ALPHA * (exists ? 1 : 0) + (1 - RANGE_RECALL_ALPHA) * reward;
  }
  let precisionSum = 0;
  for (const r of runs) precisionSum += overlapReward(r, windows).reward;
  const recall = windows.length > 0 ? recallSum / windows.length : Number.NaN;
  const precision = runs.length > 0 ? precisionSum / runs.length : Number.NaN;
  const f1 = Number.isNaN(precision) && windows.length > 0 ? 0 : f1Of(precision, recall);
  return { precision, recall, f1 };
}
