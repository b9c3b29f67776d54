/**
 * train/anomaly: a level-relative predictor input (DetectOptions.levelWindow, `--level-window`).
 * The predictor is trained on the fit part's standardised values (or seasonal residuals); when
 * the level wanders like a random walk, the scored part's inputs leave the range it was trained
 * on and ordinary points are predicted badly. Here each channel's input becomes its deviation
 * from the median of the `window` inputs before it, so a wandering level is not seen, while a
 * spike, a level shift's first steps or a changed shape still are (the median ignores a new
 * anomaly until it fills half the window). What it gives up: a change slower than the window
 * (a ramp over 150–300 steps) is followed rather than seen, and where the level does not drift
 * the median of a clean periodic signal moves with any anomaly covering a third of the window, so
 * by default it is used only where the fit part's level drifts (levelDrift, levelWindowFor).
 * Chosen on half of nab-dev and seeded held-out series and confirmed on the others (README).
 * The level alarm (DetectOptions.levelAlarm, `--level-alarm`, opt-in) gives that back as a
 * second, slower channel: the level's departure from its trailing median (levelDeparture),
 * thresholded on the normal part, one alarm per departure (levelChannel). It found every ramp of
 * the real-like sets but added false-positive runs on seeded held-out series (README).
 */
import { forEachTrailingWindow, medianOfSorted, type TrailingWalk } from './local-scale.js';
import { runsOf } from './metrics.js';

/** The steps each input's level is the median of, when the input is read relative to it (levelWindowFor). */
export const LEVEL_WINDOW_DEFAULT = 200;
/**
 * The input is read relative to its level only when the fit part's level drift (levelDrift) is
 * at least this: a third of what white noise gives at 200 steps (1.2533/√200 = 0.089). Below it
 * the level does not wander, and the median of a clean periodic signal is fragile: a segment
 * covering a third of the window moves it by most of the segment's offset, for 200 steps (the
 * synthetic series: drift 0.019, a level shift's and a flat stretch's after-effects).
 */
export const LEVEL_DRIFT_MIN = 0.03;

/**
 * The level window when none is given: LEVEL_WINDOW_DEFAULT when the fit part [0, fitEnd) of the
 * inputs x drifts (levelDrift ≥ LEVEL_DRIFT_MIN), 0 (the values themselves) otherwise, with the
 * drift. Chosen on synthetic seed 1, half of nab-dev and seeded held-out series; confirmed on
 * the others (README).
 */
export function levelWindowFor(x: Float64Array, C: number, fitEnd: number): { window: number; drift: number; fitRelative?: LevelRelativePart } {
  const { drift, fitRelative } = driftOf(x, C, fitEnd, LEVEL_WINDOW_DEFAULT);
  // The drift read the fit part relative to the level at this window: when chosen, levelRelative goes on from it.
  return drift >= LEVEL_DRIFT_MIN ? { window: LEVEL_WINDOW_DEFAULT, drift, fitRelative } : { window: 0, drift };
}

/**
 * How far the level wanders in the fit part [0, fitEnd): per channel, with m_t the median of the
 * `window` values before t (t from `window` to fitEnd), the standard deviation of m over that of
 * x − m; the largest over channels (NaN when no channel has two such steps). For white noise m
 * moves by about 1.2533/√window of the noise (0.089 at 200); for a random-walk level, far more.
 */
export function levelDrift(x: Float64Array, C: number, fitEnd: number, window: number): number {
  return driftOf(x, C, fitEnd, window).drift;
}

/** levelDrift, with the fit part's level-relative values it read. */
function driftOf(x: Float64Array, C: number, fitEnd: number, window: number): { drift: number; fitRelative: LevelRelativePart } {
  const fit = x.subarray(0, fitEnd * C);
  const fitRelative = levelRelativeWalk(fit, C, window);
  const relative = fitRelative.values;
  let drift = Number.NaN;
  for (let c = 0; c < C; c++) {
    const level: number[] = [];
    const rest: number[] = [];
    for (let t = window; t < fitEnd; t++) {
      const v = fit[t * C + c]!;
      if (!Number.isFinite(v)) continue;
      level.push(v - relative[t * C + c]!);
      rest.push(relative[t * C + c]!);
    }
    const d = standardDeviation(level) / standardDeviation(rest);
    if (Number.isFinite(d) && (Number.isNaN(drift) || d > drift)) drift = d;
  }
  return { drift, fitRelative };
}

function standardDeviation(v: readonly number[]): number {
  if (v.length < 2) return Number.NaN;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
}

/** levelRelative over the first steps of a series, and where its walk stopped, so the rest can be computed from there. */
export interface LevelRelativePart {
  readonly values: Float64Array;
  readonly walk: TrailingWalk;
}

/**
 * x_t − the median of the finite x among the `window` steps before t (0 when none), per channel
 * of step-major [T, C] values. `part`: this over the first steps of the same x (levelWindowFor's
 * fit part), kept as it is; only the steps after it are computed, to the same values.
 */
export function levelRelative(x: Float64Array, C: number, window: number, part?: LevelRelativePart): Float64Array {
  return levelRelativeWalk(x, C, window, part).values;
}

function levelRelativeWalk(x: Float64Array, C: number, window: number, part?: LevelRelativePart): LevelRelativePart {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`level window must be a positive integer, got ${window}`);
  const out = new Float64Array(x.length);
  const walk = forEachTrailingWindow(x, C, window, (i, past) => {
    out[i] = past.length > 0 ? x[i]! - medianOfSorted(past) : 0;
  }, part?.walk);
  if (part) out.set(part.values);
  return { values: out, walk };
}

/**
 * The level's departure score (a second, slower evidence channel beside the predictor's error):
 * per channel u_t = x_t − the median of the `reference` steps before t, then L_t = the median of
 * u over the `persistence` steps ending at t, and S_t = the root mean square of L_t over channels.
 * A climb slower than the predictor's level window is followed by the level-relative input, but
 * the level itself keeps leaving its trailing reference for as long as it climbs; a spike or a
 * burst shorter than half of `persistence` steps does not move the median. NaN for the first
 * reference + persistence − 1 steps (the reference and the median are not yet full). `u`: the
 * level-relative x at the reference window when the caller has it (the predictor's input, prepare.ts).
 */
export function levelDeparture(x: Float64Array, C: number, reference: number, persistence: number, u: Float64Array = levelRelative(x, C, reference)): Float64Array {
  if (!Number.isInteger(persistence) || persistence < 1) throw new RangeError(`level persistence must be a positive integer, got ${persistence}`);
  const T = x.length / C;
  // One step of NaN appended, so the trailing window visited at t + 1 is u over [t + 1 − persistence, t].
  const padded = new Float64Array(u.length + C).fill(Number.NaN);
  padded.set(u);
  const squares = new Float64Array(T);
  forEachTrailingWindow(padded, C, persistence, (i, past) => {
    const t = Math.floor(i / C) - 1;
    if (t >= 0 && past.length > 0) squares[t] += medianOfSorted(past) ** 2 / C;
  });
  const warmUp = reference + persistence - 1;
  return Float64Array.from(squares, (s, t) => (t < warmUp ? Number.NaN : Math.sqrt(s)));
}

/** Steps of level-relative input whose median is the level's departure (levelDeparture's `persistence`). */
export const LEVEL_PERSISTENCE = 25;
/** The level alarm's threshold is this many times the one its normal-part scores give (levelAlarmThreshold). */
export const LEVEL_MARGIN = 1.5;
/** The level alarm is on only when its threshold can be read from at least this many normal-part departures. */
export const LEVEL_MIN_CALIBRATION = 50;
/** The level alarm's threshold is at least this: a departure of one fit-part standard deviation (a flat normal part scores 0 throughout). */
export const MIN_LEVEL_THRESHOLD = 1;

/**
 * The resolution of a departure: per channel the smallest positive gap between distinct values
 * of x in [0, fitEnd), the largest over channels, over √C (one channel moving by it moves the
 * root mean square by that much). Integer percentages standardised by a spread of 0.6 have a gap
 * of 1.7 units: the median flips by one such step now and then on a flat level. About 0 for
 * continuous values.
 */
export function levelQuantum(x: Float64Array, C: number, fitEnd: number): number {
  let q = 0;
  for (let c = 0; c < C; c++) {
    const values: number[] = [];
    for (let t = 0; t < fitEnd; t++) if (Number.isFinite(x[t * C + c]!)) values.push(x[t * C + c]!);
    values.sort((a, b) => a - b);
    let gap = Infinity;
    for (let i = 1; i < values.length; i++) if (values[i]! > values[i - 1]!) gap = Math.min(gap, values[i]! - values[i - 1]!);
    if (Number.isFinite(gap)) q = Math.max(q, gap);
  }
  return q / Math.sqrt(C);
}

/**
 * The level alarm's threshold: LEVEL_MARGIN times the larger of the one its normal-part scores
 * give and the departure's resolution (levelQuantum), at least MIN_LEVEL_THRESHOLD. The
 * departure is a 25-step median of a 200-step difference, so the normal part holds only a few
 * independent excursions and a tail fitted to them sits just above the largest; on half of
 * nab-dev and seeds 1–12 the false alarms peaked at 1.0–1.35 times that threshold, the windows
 * found at 2.4 times and more (README).
 */
export function levelAlarmThreshold(fromScores: number, quantum: number): number {
  return Math.max(MIN_LEVEL_THRESHOLD, LEVEL_MARGIN * Math.max(fromScores, quantum));
}

/**
 * 1 at the first step of each run of `scores` above `threshold` that lasts at least `minRun`
 * steps and follows `rearm` steps at or below it. The channel reports that the level has left,
 * as a change detector does, not the span: after a shift the departure stays up until the
 * median catches up (half the reference), mostly after a labelled window, and while the
 * reference straddles both levels it wobbles about the threshold.
 */
export function levelAlarms(scores: ArrayLike<number>, threshold: number, minRun: number, rearm: number): Uint8Array {
  const above = Uint8Array.from({ length: scores.length }, (_, t) => (scores[t]! > threshold ? 1 : 0));
  const out = new Uint8Array(scores.length);
  const runs = runsOf(above);
  runs.forEach((run, k) => {
    const quietSince = k > 0 ? runs[k - 1]!.end : -Infinity;
    if (run.end - run.start >= minRun && run.start - quietSince >= rearm) out[run.start] = 1;
  });
  return out;
}

/** The level channel of a detection: the departure scores of the scored series, their threshold and the alarms. */
export interface LevelChannel {
  readonly scores: Float64Array;
  readonly threshold: number;
  readonly alarms: Uint8Array;
}

/**
 * The level channel for inputs `train` (the training series, fit part [0, fitEnd): the threshold
 * is read from its departures by `thresholdFrom`, unless `threshold` is given, as a saved model
 * gives it) and `scored`, with the level window as reference and re-arm time. `relative`: both
 * inputs already taken relative to their level at the reference window (the predictor's inputs),
 * so the trailing medians are not run again.
 */
export function levelChannel(
  inputs: { readonly train: Float64Array; readonly scored: Float64Array; readonly C: number; readonly fitEnd: number; readonly relative?: { readonly train: Float64Array; readonly scored: Float64Array } },
  reference: number,
  minRun: number,
  thresholdFrom: (trainScores: Float64Array) => number,
  threshold?: number,
): LevelChannel {
  const { train, scored, C, fitEnd, relative } = inputs;
  const scores = levelDeparture(scored, C, reference, LEVEL_PERSISTENCE, relative?.scored);
  const trainScores = () => (train === scored ? scores : levelDeparture(train, C, reference, LEVEL_PERSISTENCE, relative?.train));
  const th = threshold ?? levelAlarmThreshold(thresholdFrom(trainScores()), levelQuantum(train, C, fitEnd));
  return { scores, threshold: th, alarms: levelAlarms(scores, th, minRun, reference) };
}
