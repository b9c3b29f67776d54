/**
 * train/anomaly: what a detection run hands back to people: the flagged points as CSV, a
 * summary as JSON (sorted keys), and a plain-text report that names the pitfalls met (the
 * gradient norm per epoch before and after clipping, drift warnings).
 */
import type { Detection, MethodResult } from './detect.js';
import type { EpochStats } from './model.js';
import { formatValue } from './synth.js';
import type { Series } from './types.js';

/** One row per flagged point: t, timestamp (if any), the values, the score, the label (if any). */
export function flaggedCsv(series: Series, detection: Detection): string {
  const C = series.channels.length;
  const header = ['t', ...(series.timestamps ? ['timestamp'] : []), ...series.channels, 'score', 'threshold', ...(series.labels ? ['label'] : [])];
  const rows = [header.map(csvField).join(',')];
  const { scores, flagged, threshold } = detection.rnn;
  for (let t = 0; t < series.length; t++) {
    if (!flagged[t]) continue;
    const cells = [String(t)];
    if (series.timestamps) cells.push(csvField(series.timestamps[t]!));
    for (let c = 0; c < C; c++) cells.push(formatValue(series.values[t * C + c]!));
    cells.push(formatValue(scores[t]!), formatValue(threshold));
    if (series.labels) cells.push(String(series.labels[t]));
    rows.push(cells.join(','));
  }
  return rows.join('\n') + '\n';
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : null;
}

function methodSummary(m: MethodResult): Record<string, unknown> {
  const flaggedCount = m.flagged.reduce((a, b) => a + b, 0);
  const summary: Record<string, unknown> = { threshold: finite(m.threshold), flagged: flaggedCount };
  if (m.metrics) {
    const { points, segments } = m.metrics;
    summary.points = {
      precision: finite(points.precision), recall: finite(points.recall), f1: finite(points.f1),
      truePositives: points.truePositives, falsePositives: points.falsePositives, falseNegatives: points.falseNegatives,
    };
    summary.segments = {
      precision: finite(segments.precision), recall: finite(segments.recall), f1: finite(segments.f1),
      found: segments.found, labelled: segments.labelled, correctRuns: segments.correctRuns, runs: segments.runs,
    };
  }
  return summary;
}

/** The run as plain JSON data (numbers to 6 significant digits, NaN as null). */
export function detectionSummary(detection: Detection, run: Record<string, unknown>): Record<string, unknown> {
  return {
    run,
    regions: detection.regions,
    rnn: methodSummary(detection.rnn),
    ...(detection.baseline ? { baseline: methodSummary(detection.baseline) } : {}),
    epochs: epochSummary(detection.history),
    drift: detection.drift.map((d) => ({ channel: d.channel, meanShift: finite(d.meanShift), outsideFraction: finite(d.outsideFraction), drifts: d.drifts })),
    warnings: detection.warnings,
  };
}

/** Per-epoch figures as plain data (non-finite values, from a diverged run, as null). */
export function epochSummary(history: readonly EpochStats[]): Record<string, unknown>[] {
  return history.map((e) => ({
    epoch: e.epoch, loss: finite(e.loss), gradNormMean: finite(e.gradNormMean), gradNormMax: finite(e.gradNormMax),
    appliedNormMean: finite(e.appliedNormMean), clippedFraction: finite(e.clippedFraction), ...(e.diverged ? { diverged: true } : {}),
  }));
}

const exp = (v: number) => (Number.isFinite(v) ? v.toExponential(3) : String(v));
const pct = (v: number) => (Number.isNaN(v) ? '  n/a' : v.toFixed(3));

/** The epoch table: loss and gradient norms before and after clipping. */
export function formatEpochs(history: readonly EpochStats[], clip: number): string[] {
  if (history.length === 0) return [];
  const clipText = clip > 0 && Number.isFinite(clip) ? `clipped at ${clip}` : 'no clipping';
  const lines = [
    `                 gradient norm before clipping   applied   (${clipText})`,
    `epoch      loss         mean          max        mean    batches clipped`,
  ];
  for (const e of history) {
    lines.push(
      `${String(e.epoch).padStart(5)}  ${exp(e.loss).padStart(9)}  ${exp(e.gradNormMean).padStart(11)}  ${exp(e.gradNormMax).padStart(11)}  ${exp(e.appliedNormMean).padStart(10)}  ${`${(100 * e.clippedFraction).toFixed(0)}%`.padStart(8)}` +
        (e.diverged ? '  diverged' : ''),
    );
  }
  return lines;
}

/** Precision / recall / F1 rows for the model and the baseline. */
export function formatMetrics(detection: Detection, modelName: string): string[] {
  const rows: [string, MethodResult | undefined][] = [[modelName, detection.rnn], ['rolling z-score', detection.baseline]];
  const lines = ['method            threshold  flagged   points: P      R      F1     segments: P      R      F1'];
  for (const [name, m] of rows) {
    if (!m) continue;
    const flagged = m.flagged.reduce((a, b) => a + b, 0);
    const p = m.metrics?.points;
    const s = m.metrics?.segments;
    lines.push(
      `${name.padEnd(16)}  ${m.threshold.toFixed(3).padStart(9)}  ${String(flagged).padStart(7)}   ` +
        (p && s ? `       ${pct(p.precision)}  ${pct(p.recall)}  ${pct(p.f1)}            ${pct(s.precision)}  ${pct(s.recall)}  ${pct(s.f1)}` : '        (no labels)'),
    );
  }
  return lines;
}
