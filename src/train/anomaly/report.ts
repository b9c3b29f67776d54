/**
 * train/anomaly: what a detection run hands back to people: the flagged points as CSV, a
 * summary as JSON (sorted keys), and a plain-text report that names the pitfalls met (the
 * gradient norm per epoch before and after clipping, drift warnings).
 */
import type { Detection, Evaluation, MethodResult, TrainedModel } from './detect.js';
import type { Scores } from './scores.js';
import type { EpochStats } from './model.js';
import { formatValue } from './synth.js';
import { LEVEL_DRIFT_MIN, LEVEL_WINDOW_DEFAULT } from './level.js';
import type { Series } from './types.js';

/**
 * One row per point that some method flagged: t, timestamp (if any), the values, then for the
 * model and each baseline its score and 0/1 flag (thresholds in the report), the label (if any).
 */
export function flaggedCsv(series: Series, detection: Detection): string {
  const C = series.channels.length;
  const methods = [detection.rnn, ...detection.baselines];
  const slug = (name: string) => name.replace(/[^A-Za-z0-9]+/g, '_');
  const header = ['t', ...(series.timestamps ? ['timestamp'] : []), ...series.channels, ...methods.flatMap((m) => [`${slug(m.name)}_score`, `${slug(m.name)}_flag`]), ...(series.labels ? ['label'] : [])];
  const rows = [header.map(csvField).join(',')];
  for (let t = 0; t < series.length; t++) {
    if (!methods.some((m) => m.flagged[t])) continue;
    const cells = [String(t)];
    if (series.timestamps) cells.push(csvField(series.timestamps[t]!));
    for (let c = 0; c < C; c++) cells.push(formatValue(series.values[t * C + c]!));
    for (const m of methods) cells.push(Number.isFinite(m.scores[t]!) ? formatValue(m.scores[t]!) : '', String(m.flagged[t]));
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

function evaluationSummary(e: Evaluation): Record<string, unknown> {
  const { points, events, composite, range } = e.metrics;
  const scores = (x: Scores) => ({ precision: finite(x.precision), recall: finite(x.recall), f1: finite(x.f1) });
  return {
    points: { ...scores(points), truePositives: points.truePositives, falsePositives: points.falsePositives, falseNegatives: points.falseNegatives },
    composite: scores(composite),
    range: scores(range),
    events: { detected: events.detected, labelled: events.labelled, runs: events.runs, falsePositiveRuns: events.falsePositiveRuns, delays: [...events.delays] },
    nab: { normalised: finite(e.nab.normalised), raw: finite(e.nab.raw), windows: e.nab.windows, detected: e.nab.detected, falsePositives: e.nab.falsePositives, from: e.nab.from },
  };
}

function methodSummary(m: MethodResult): Record<string, unknown> {
  const flaggedCount = m.flagged.reduce((a, b) => a + b, 0);
  return { name: m.name, threshold: finite(m.threshold), flagged: flaggedCount, ...(m.evaluation ? evaluationSummary(m.evaluation) : {}) };
}

/** The level alarms in the scored part (they are among the rnn's flags): steps and threshold. */
function levelSummary(detection: Detection): { threshold: number | null; steps: number[] } {
  const level = detection.level!;
  const steps: number[] = [];
  level.alarms.forEach((a, t) => a && t >= detection.regions.evaluateFrom && steps.push(t));
  return { threshold: finite(level.threshold), steps };
}

/** The run as plain JSON data (numbers to 6 significant digits, NaN as null). */
export function detectionSummary(detection: Detection, run: Record<string, unknown>): Record<string, unknown> {
  const refs = detection.references;
  return {
    run,
    regions: detection.regions,
    fit: detection.fit,
    rnn: methodSummary(detection.rnn),
    ...(detection.level ? { levelAlarm: levelSummary(detection) } : {}),
    baselines: detection.baselines.map(methodSummary),
    ...(refs ? { references: { nothing: evaluationSummary(refs.nothing), everything: evaluationSummary(refs.everything) } } : {}),
    ...(detection.members.length > 0 ? { members: detection.members.map(evaluationSummary) } : {}),
    epochs: epochSummary(detection.history),
    seasonal: detection.model.seasonal.map((p) => (p ? { period: p.period, acf: finite(p.acf) } : null)),
    ...(detection.levelDrift !== undefined ? { levelDrift: finite(detection.levelDrift) } : {}),
    drift: detection.drift.map((d) => ({ channel: d.channel, medianShift: finite(d.medianShift), outsideFraction: finite(d.outsideFraction), drifts: d.drifts })),
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

/** One line per channel modelled as its residual from a seasonal profile (none when no channel is). */
export function formatSeasonal(model: TrainedModel): string[] {
  return model.seasonal.flatMap((p, c) =>
    p ? [`column '${model.channels[c]}' repeats every ${p.period} steps${p.calendar ? `, a ${p.calendar} at its time step,` : ''} (autocorrelation ${p.acf.toFixed(2)} in the fit part without its level): the predictor reads its residual from the per-phase median, phase counted from the series' first step`] : [],
  );
}

/** How the level window was chosen, when the fit part chose it (none given nor saved; level.ts, levelWindowFor). */
export function formatLevel(detection: Detection): string[] {
  const drift = detection.levelDrift;
  if (drift === undefined) return [];
  const window = detection.model.levelWindow;
  const measured = Number.isFinite(drift) ? `${drift.toFixed(3)} (the spread of the median of the ${LEVEL_WINDOW_DEFAULT} inputs before each step, over the rest's)` : 'undefined (its input does not vary about its level)';
  return [
    window > 0
      ? `the fit part's level drifts by ${measured}, at least ${LEVEL_DRIFT_MIN}: the predictor reads each value relative to the median of the ${window} before it (--level-window 0 reads the values)`
      : `the fit part's level drifts by ${measured}, less than ${LEVEL_DRIFT_MIN}: the predictor reads the values themselves (--level-window ${LEVEL_WINDOW_DEFAULT} reads them relative to their level)`,
  ];
}

const exp = (v: number) => (Number.isFinite(v) ? v.toExponential(3) : String(v));

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

const num = (v: number, digits = 3) => (Number.isNaN(v) ? 'n/a' : v.toFixed(digits));

/** One table row: the metrics of an evaluation. */
function metricCells(e: Evaluation, withNab: boolean): string {
  const { points, events, composite, range } = e.metrics;
  const delays = events.delays.length > 0 ? (events.delays.reduce((a, b) => a + b, 0) / events.delays.length).toFixed(0) : '-';
  const cells = [num(points.f1).padStart(8), num(composite.f1).padStart(12), num(range.f1).padStart(8), `${events.detected}/${events.labelled}`.padStart(7), String(events.falsePositiveRuns).padStart(7), delays.padStart(5)];
  if (withNab) cells.push(num(e.nab.normalised, 1).padStart(7));
  return cells.join('  ');
}

/**
 * The metrics table: the model, the baselines and the two reference rows (flag nothing, flag
 * every scored point); or a sentence when no labelled window lies in the scored part.
 */
export function formatMetrics(detection: Detection, options: { nab?: boolean } = {}): string[] {
  const methods = [detection.rnn, ...detection.baselines];
  const withNab = options.nab ?? false;
  const refs = detection.references;
  const measurable = refs !== undefined && refs.everything.metrics.events.labelled > 0;
  const lines = ['method             threshold  flagged' + (measurable ? '  point F1  composite F1  range F1  windows  FP runs  delay' + (withNab ? '      NAB' : '') : '')];
  const head = (name: string, threshold: string, flagged: string) => `${name.padEnd(17)}  ${threshold.padStart(9)}  ${flagged.padStart(7)}`;
  for (const m of methods) {
    const flagged = String(m.flagged.reduce((a, b) => a + b, 0));
    lines.push(head(m.name, m.threshold.toFixed(3), flagged) + (m.evaluation && measurable ? `  ${metricCells(m.evaluation, withNab)}` : ''));
  }
  if (detection.level) {
    const { steps } = levelSummary(detection);
    lines.push(`level alarms (counted among the ${detection.rnn.name}'s flags; the level left the median of the ${detection.model.levelWindow} steps before it, threshold ${detection.level.threshold.toFixed(3)}): ${steps.length === 0 ? 'none' : `step${steps.length > 1 ? 's' : ''} ${steps.join(', ')}`}`);
  }
  if (!refs) return [...lines, '(no labels: no metrics)'];
  if (!measurable) {
    const from = detection.regions.evaluateFrom;
    if (detection.fit.labelledInFit + detection.fit.labelledInHoldout === 0) {
      const runs = methods.map((m) => `${m.name} ${m.evaluation?.metrics.events.runs ?? 0}`).join(', ');
      return [...lines, `the labels mark no anomaly, so every flagged run in the scored part (steps ${from} on) is a false positive: ${runs}`];
    }
    return [...lines, `no labelled window lies in the scored part (steps ${from} on): every labelled point is in the part treated as normal, so there is nothing to measure`];
  }
  lines.push(head('(flag nothing)', '', '0') + `  ${metricCells(refs.nothing, withNab)}`);
  const everything = refs.everything.metrics.points;
  lines.push(head('(flag everything)', '', String(everything.truePositives + everything.falsePositives)) + `  ${metricCells(refs.everything, withNab)}`);
  if (detection.members.length > 0) {
    const f1s = detection.members.map((e) => e.metrics.composite.f1);
    lines.push(`composite F1 of the ${f1s.length} ensemble members alone: ${f1s.map((v) => num(v)).join(', ')} (min ${num(Math.min(...f1s))}, max ${num(Math.max(...f1s))})`);
  }
  return lines;
}
