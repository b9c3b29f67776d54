/** train/anomaly: precision, recall and their harmonic mean, shared by every metric. */

export interface Scores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** The harmonic mean; 0 when either is 0 (finding nothing is a score, not a gap), NaN when either is undefined. */
export function f1Of(precision: number, recall: number): number {
  if (precision === 0 || recall === 0) return 0;
  if (Number.isNaN(precision) || Number.isNaN(recall)) return Number.NaN;
  return (2 * precision * recall) / (precision + recall);
}
