/**
 * train/anomaly: the detection pipeline, from a series to flagged points. Phases:
 *   1. split: fit on the first part (or a separate training series), hold out the next part
 *      as normal data for the threshold, score and evaluate the rest;
 *   2. standardise every channel with the fit part's mean and standard deviation (prepare.ts);
 *      a channel that repeats with a period longer than the window is replaced by its residual
 *      from the fit part's seasonal profile (seasonal.ts);
 *   3. train the next-value predictor (or take a saved one); robust refit: the fit-part points
 *      the first fit cannot predict are replaced by its predictions and training continues,
 *      so anomalies in the "normal" part do not teach the model (fit.ts); `ensemble` trains
 *      several seeds and takes the median score;
 *   4. score each point by its prediction error, standardised with the fit part's residuals
 *      and then against the median and spread of its recent past (local-scale.ts; root mean
 *      square over channels, averaged over `smooth` steps);
 *   5. threshold from the normal part's scores (default: peaks over threshold, pot.ts); flag,
 *      drop runs too short to persist (persist.ts), localise the rest (localise.ts), add the level
 *      alarms when asked (`levelAlarm`, level.ts: a climb slower than the level window), and measure
 *      against labels (metrics.ts, range-metrics.ts, nab.ts);
 *   6. the baselines (rolling z-score, Hampel identifier), thresholded by the same rule;
 *   7. hint when the scored part is distributed unlike the fit part.
 */
import type { CellGraph } from '../../cell/index.js';
import { InputError } from '../../errors.js';
import { createRandom } from '../../random.js';
import { channelScale, hampelScore, rollingZScore } from './baseline.js';
import { fitMember, medianScores, type Member } from './fit.js';
import { evaluate, referenceFlags, type DetectionMetrics } from './metrics.js';
import type { EpochStats, OptimizerName, Predictor } from './model.js';
import { LOCAL_SCALE_DEFAULT } from './local-scale.js';
import { LEVEL_MIN_CALIBRATION, LEVEL_PERSISTENCE, levelChannel, type LevelChannel } from './level.js';
import { localiseRuns } from './localise.js';
import { minRunFor, persistentRuns } from './persist.js';
import { nabScore, type NabScore } from './nab.js';
import { checkDrift, driftMessage, prepare, type DriftCheck } from './prepare.js';
import { flag, thresholdOf, type ThresholdOptions } from './threshold.js';
import type { SeasonalProfile } from './seasonal.js';
import type { Series } from './types.js';

export type { DriftCheck } from './prepare.js';

export interface DetectOptions {
  readonly cell: CellGraph;
  readonly hidden?: number;
  readonly window?: number;
  /**
   * Score each point by a forecast made this many steps ahead (default 1, the next value the
   * model is trained to predict); beyond 1 the model runs on its own predictions.
   */
  readonly horizon?: number;
  readonly epochs?: number;
  /** Gradient-norm clipping threshold (default 1); 0 turns clipping off. */
  readonly clip?: number;
  readonly seed?: number;
  readonly lr?: number;
  readonly optimizer?: OptimizerName;
  readonly batch?: number;
  readonly stride?: number;
  /** Fraction of the series treated as normal: fit plus held-out part (default 0.5). */
  readonly normalFraction?: number;
  /** Fraction of the normal part held out for the threshold (default 0.4). */
  readonly holdoutFraction?: number;
  /** How the threshold is read from the normal part's scores (default: peaks over threshold at risk 1e-3, on the whole normal part). */
  readonly thresholdRule?: ThresholdOptions;
  /** A fixed threshold instead of the rule. */
  readonly threshold?: number;
  /** Model a channel's residual from its seasonal profile when its period exceeds the window (default true; seasonal.ts). */
  readonly seasonal?: boolean;
  /**
   * The series' time step in milliseconds when its timestamps are dates (io's timeStepOf): a
   * day or a week at this step is taken as the seasonal period when the fit part cannot tell it
   * from the one it finds (period.ts).
   */
  readonly timeStep?: number;
  /**
   * The predictor reads each value's deviation from the median of this many values before it
   * (level.ts; default LEVEL_WINDOW_DEFAULT, 0 = the values themselves), so a wandering level
   * does not take its input out of the fit part's range.
   */
  readonly levelWindow?: number;
  /**
   * With a level window: also flag the first step at which the level has left the median of the
   * level window before it (level.ts, levelChannel), so a change slower than the window, which
   * the level-relative input follows, is still seen. Default false: it found every ramp of the
   * real-like sets but added false-positive runs on seeded held-out series (README).
   */
  readonly levelAlarm?: boolean;
  /** Refit after replacing the fit-part points the first fit cannot predict (default true). */
  readonly robustFit?: boolean;
  /**
   * Leave runs of unpredictable steps in the normal part out of the threshold's calibration
   * (default false; fit.ts, burstMask): on nab-dev it lowered thresholds that labelled bursts had
   * lifted, and the scored parts' unlabelled bursts then became false positives.
   */
  readonly excludeBursts?: boolean;
  /** Train this many seeds (seed, seed + 1, ...) and score by the median of their scores (default 1). */
  readonly ensemble?: number;
  /**
   * Average the squared standardised error over this many trailing steps (default 5): sustained
   * anomalies (a changed frequency, a flat stretch) then stand out of the noise; 1 scores each
   * point alone, which places spikes exactly.
   */
  readonly smooth?: number;
  /**
   * Trim each flagged run to the span of its points whose own unaveraged score exceeds the
   * threshold (localise.ts), so the smoothing does not flag a spike's neighbours (default LOCALISE_DEFAULT).
   */
  readonly localise?: boolean;
  /**
   * Drop runs of the averaged score shorter than this many steps before localising (persist.ts;
   * default MIN_RUN_DEFAULT, or 1 with `smooth` 1; 1 keeps every run): a spike keeps the averaged
   * score up for several steps, while a one-step crossing is ordinary errors grazing the threshold.
   */
  readonly minRun?: number;
  /**
   * Judge each standardised error against the median and spread of this many errors before it
   * (local-scale.ts; default LOCAL_SCALE_DEFAULT, 0 = against the fit part only), so a level
   * shift's lasting bias or a noisier stretch does not keep crossing the threshold.
   */
  readonly localScale?: number;
  /** A flagged run starting this many steps after a labelled window still belongs to it (default: the window). */
  readonly tolerance?: number;
  /** Fit on this series (all of it but the held-out tail) and score all of `series`. */
  readonly train?: Series;
  /** A trained model: no training; its standardisation, error scale and threshold are used. */
  readonly model?: TrainedModel;
  readonly onProgress?: (done: number, total: number) => void;
  readonly onEpoch?: (stats: EpochStats) => void;
  /** Receives warnings (the drift hint), once each; labelled points in the normal part are counted in `fit`. */
  readonly warn?: (message: string) => void;
}

/** Everything needed to score new data the same way (what a model file holds). */
export interface TrainedModel {
  readonly predictor: Predictor;
  readonly channels: readonly string[];
  readonly window: number;
  readonly horizon: number;
  readonly smooth: number;
  /** Per channel: the fit part's mean and standard deviation (the standardisation). */
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /** Per channel: the seasonal profile subtracted before the predictor (phase counted from each series' first step). */
  readonly seasonal: readonly (SeasonalProfile | undefined)[];
  /** Per channel: mean and standard deviation of the prediction error on the fit part. */
  readonly errorMean: Float64Array;
  readonly errorStd: Float64Array;
  /** Steps of recent errors each error is judged against (0: the fit part's scale only; local-scale.ts). */
  readonly localScale: number;
  /** Steps of recent inputs whose median each input is taken relative to (0: none; level.ts). */
  readonly levelWindow: number;
  readonly threshold: number;
  /** The level alarm's threshold (level.ts; absent: no level alarm). */
  readonly levelThreshold?: number;
}

export interface Regions {
  /** Fit on [0, fitEnd) of the training series (the scored series unless `train` was given). */
  readonly fitEnd: number;
  /** Threshold from [fitEnd, holdoutEnd) of the training series. */
  readonly holdoutEnd: number;
  /** Metrics and flagged points over [evaluateFrom, length) of the scored series. */
  readonly evaluateFrom: number;
  readonly separateTraining: boolean;
}

/** A detector's quality against the labels of the scored part. */
export interface Evaluation {
  readonly metrics: DetectionMetrics;
  readonly nab: NabScore;
}

export interface MethodResult {
  readonly name: string;
  readonly scores: Float64Array;
  /** The rnn's unaveraged scores (smooth 1), which localise its flagged runs. */
  readonly pointScores?: Float64Array;
  readonly threshold: number;
  readonly flagged: Uint8Array;
  readonly evaluation?: Evaluation;
}

export interface Detection {
  readonly model: TrainedModel;
  readonly regions: Regions;
  readonly rnn: MethodResult;
  /** The rolling z-score and the Hampel identifier (absent when a saved model is used: there is no held-out part). */
  readonly baselines: readonly MethodResult[];
  /** The level channel, whose alarms are among the rnn's flags (absent when off). */
  readonly level?: LevelChannel;
  /** The floor and the ceiling every labelled report prints: flag nothing, flag every scored point. */
  readonly references?: { readonly nothing: Evaluation; readonly everything: Evaluation };
  /** With an ensemble: each member's evaluation alone (the spread over seeds). */
  readonly members: readonly Evaluation[];
  readonly history: readonly EpochStats[];
  /** Fit-part points the robust refit replaced, normal-part steps left out of the threshold (bursts), and labelled points in the fit and held-out parts. */
  readonly fit: { readonly replaced: number; readonly burstSteps: number; readonly labelledInFit: number; readonly labelledInHoldout: number };
  readonly drift: readonly DriftCheck[];
  readonly warnings: readonly string[];
}

export const DEFAULT_THRESHOLD_RULE: ThresholdOptions = { rule: 'pot' };

/** Whether flagged runs are localised (DetectOptions.localise) unless told otherwise. */
export const LOCALISE_DEFAULT = true;

/**
 * Where the threshold is read from: the held-out part [fitEnd, normal end) for most rules; the
 * whole normal part from the first score on for 'pot', whose tail fit needs many points (2% of
 * them are its sample): on a held-out part of 300 points, 6 excesses, one spike would set the
 * fitted tail. In-sample scores of the fit part run a little lower than held-out ones.
 */
function calibrationRange(rule: ThresholdOptions, fitEnd: number, firstScore: number): number {
  return rule.rule === 'pot' ? firstScore : Math.max(fitEnd, firstScore);
}

/**
 * The rnn's threshold read from its scores is at least 1. A score is an error in units of the
 * fit part's error scale, and that scale is floored at 1% of the series' own (fit.ts,
 * errorFloors): where the predictor (or the seasonal profile) follows the series exactly, the
 * scores are rounding noise far below 1, and a threshold fitted to them flagged that noise (a
 * noise-free daily sine: 58 false-positive runs). Elsewhere the threshold lies well above 1: of
 * the 75 series of `npm run bench:flags` it binds only on the two noise-free ones (tail
 * thresholds 0.000; all others 1.77 or more). Two mechanisms, because they do two jobs: the
 * floor keeps the unit finite for what reads it (the local scale's spread, the tail fit), the
 * minimum says that an error inside the floor is no evidence. Folding them into one, errors
 * within the floor counted as 0, was considered and not taken: it moves every score by up to
 * the floor, and on a noise-free series it flags a single error just above 1% where the
 * 5-step average must now exceed it.
 */
export const MIN_RNN_THRESHOLD = 1;
const rnnThreshold = (fromScores: number) => Math.max(MIN_RNN_THRESHOLD, fromScores);

/** Trains (or takes) the predictors: phases 3 and 4. */
function fitMembers(series: Series, options: DetectOptions, prepared: ReturnType<typeof prepare>): Member[] {
  const K = options.ensemble ?? 1;
  if (!Number.isInteger(K) || K < 1) throw new InputError(`--ensemble must be a positive integer, found ${K}`);
  const random = createRandom(options.seed ?? 1);
  const count = options.model ? 1 : K;
  return Array.from({ length: count }, (_, k) => fitMember(series, options, prepared, k === 0 ? random : createRandom((options.seed ?? 1) + k)));
}

/** Runs the whole pipeline (phases in the file comment). */
export function detect(series: Series, options: DetectOptions): Detection {
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    options.warn?.(message);
  };
  if (options.minRun !== undefined && !(Number.isInteger(options.minRun) && options.minRun >= 1)) throw new InputError(`--min-run must be a positive integer, found ${options.minRun}`);
  const saved = options.model;
  const prepared = prepare(series, options);
  const { window, horizon, smooth, regions, training, mean, std, seasonal, levelWindow } = prepared;
  const { fitEnd, holdoutEnd: normalEnd } = regions;
  const members = fitMembers(series, options, prepared);
  const first = members[0]!;
  const trainScores = medianScores(members.map((m) => m.trainScores));
  const scores = options.train ? medianScores(members.map((m) => m.scores)) : trainScores;
  const pointScores = medianScores(members.map((m) => m.pointScores));
  const localise = options.localise ?? LOCALISE_DEFAULT;
  const minRun = minRunFor(smooth, options.minRun);

  // Phase 5: threshold, flags, metrics.
  const rule = options.thresholdRule ?? DEFAULT_THRESHOLD_RULE;
  const calibration = calibrationRange(rule, fitEnd, window + horizon - 1 + smooth - 1);
  // Bursts the robust fit found in the normal part are not calibrated on (fit.ts, burstMask).
  const calibrated = (scores: Float64Array, bursts: Uint8Array | undefined) => (bursts ? scores.map((v, t) => (bursts[t] ? Number.NaN : v)) : scores);
  const threshold = options.threshold ?? saved?.threshold ?? rnnThreshold(thresholdOf(calibrated(trainScores, first.bursts), calibration, normalEnd, rule));
  const tolerance = options.tolerance ?? window;
  const onlyEvaluated = (flags: Uint8Array) => flags.map((f, t) => (t >= regions.evaluateFrom ? f : 0));
  const evaluation = (flags: Uint8Array): Evaluation | undefined =>
    series.labels ? { metrics: evaluate(flags, series.labels, { from: regions.evaluateFrom, tolerance }), nab: nabScore(flags, series.labels, { from: regions.evaluateFrom }) } : undefined;
  // The level alarm (level.ts): a slower channel beside the predictor's error, read from the same normal part.
  const levelFrom = calibrationRange(rule, fitEnd, levelWindow + LEVEL_PERSISTENCE - 1);
  // A threshold needs some normal departures to be read from (a tail fit on fewer is noise).
  const levelAsked = !saved && options.levelAlarm === true;
  if (levelAsked && levelWindow === 0) throw new InputError('--level-alarm reads the level against the level window; it cannot be used with --level-window 0');
  const levelCalibrated = normalEnd - levelFrom >= LEVEL_MIN_CALIBRATION;
  if (levelAsked && !levelCalibrated) warn(`the level alarm is off: its threshold needs ${LEVEL_MIN_CALIBRATION} normal steps after the first ${levelFrom}, and the normal part ends at step ${normalEnd}`);
  const levelOn = saved ? saved.levelThreshold !== undefined : levelAsked && levelCalibrated;
  const levelInputs = { train: prepared.levelTrain, scored: prepared.level, C: prepared.C, fitEnd };
  const level = levelOn ? levelChannel(levelInputs, levelWindow, minRun, (s) => thresholdOf(s, levelFrom, normalEnd, rule), saved?.levelThreshold) : undefined;
  // The rnn's runs (those with point scores) must persist, then are localised, and the level alarms join them; the baselines' are kept as they are.
  const flagsOf = (s: Float64Array, th: number, points?: Float64Array) => {
    if (!points) return flag(s, th);
    const kept = persistentRuns(flag(s, th), minRun);
    const flags = localise ? localiseRuns(kept, points, th) : kept;
    return level ? flags.map((f, t) => f | level.alarms[t]!) : flags;
  };
  const method = (name: string, s: Float64Array, th: number, points?: Float64Array): MethodResult => {
    const flagged = onlyEvaluated(flagsOf(s, th, points));
    const e = evaluation(flagged);
    return { name, scores: s, ...(points ? { pointScores: points } : {}), threshold: th, flagged, ...(e ? { evaluation: e } : {}) };
  };
  const rnn = method(options.cell.name, scores, threshold, pointScores);
  const memberEvaluations =
    members.length > 1 && series.labels ? members.map((m) => evaluation(onlyEvaluated(flagsOf(m.scores, rnnThreshold(thresholdOf(calibrated(m.trainScores, m.bursts), calibration, normalEnd, rule)), m.pointScores)))!) : [];

  // Phase 6: the baselines, on the same held-out part and rule.
  const baselines: MethodResult[] = [];
  if (!saved) {
    const scale = channelScale(training, 0, fitEnd);
    for (const [name, scorer] of [['rolling z-score', rollingZScore], ['hampel', hampelScore]] as const) {
      const trainBaseline = scorer(training, window, scale);
      const scored = options.train ? scorer(series, window, scale) : trainBaseline;
      baselines.push(method(name, scored, thresholdOf(calibrated(trainBaseline, first.bursts), calibrationRange(rule, fitEnd, window), normalEnd, rule)));
    }
  }
  let references: Detection['references'];
  if (series.labels) {
    const { nothing, everything } = referenceFlags(series.length, regions.evaluateFrom);
    references = { nothing: evaluation(nothing)!, everything: evaluation(everything)! };
  }

  // Phase 7: drift, fit part against scored part.
  const drift = saved ? [] : checkDrift(training, fitEnd, series, regions.evaluateFrom, series.length);
  for (const d of drift) if (d.drifts) warn(driftMessage(d));

  const localScale = saved?.localScale ?? options.localScale ?? LOCAL_SCALE_DEFAULT;
  const model: TrainedModel = { predictor: first.predictor, channels: series.channels, window, horizon, smooth, mean, std, seasonal, errorMean: first.errorMean, errorStd: first.errorStd, localScale, levelWindow, threshold, ...(level ? { levelThreshold: level.threshold } : {}) };
  return {
    model,
    regions,
    rnn,
    baselines,
    ...(level ? { level } : {}),
    ...(references ? { references } : {}),
    members: memberEvaluations,
    history: first.history,
    fit: { replaced: first.replaced, burstSteps: first.bursts?.reduce((a, b) => a + b, 0) ?? 0, labelledInFit: prepared.labelledInFit, labelledInHoldout: prepared.labelledInHoldout },
    drift,
    warnings,
  };
}
