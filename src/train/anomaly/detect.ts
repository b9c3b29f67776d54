/**
 * train/anomaly: the detection pipeline, from a series to flagged points. Phases:
 *   1. split: fit on the first part (or a separate training series), hold out the next part
 *      as normal data for the threshold, score and evaluate the rest;
 *   2. standardise every channel with the fit part's mean and standard deviation;
 *   3. train the next-value predictor (or take a saved one);
 *   4. score each point by its prediction error, standardised with the fit part's residuals
 *      (root mean square over channels, optionally averaged over `smooth` steps);
 *   5. threshold = a quantile of the held-out scores; flag, and measure against labels;
 *   6. the rolling z-score baseline, thresholded the same way;
 *   7. check for drift that breaks the stationarity the model assumes.
 */
import type { CellGraph } from '../../cell/index.js';
import { InputError } from '../../errors.js';
import { createRandom } from '../../random.js';
import { rollingZScore } from './baseline.js';
import { evaluate, type DetectionMetrics } from './metrics.js';
import { createPredictor, predictionErrors, trainPredictor, type EpochStats, type OptimizerName, type Predictor } from './model.js';
import { flag, pickThreshold } from './threshold.js';
import { locate, type Series } from './types.js';

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
  /** Fraction of the normal part held out for the threshold (default 0.4: the maximum of fewer held-out scores is a noisy threshold). */
  readonly holdoutFraction?: number;
  /** Quantile of the held-out scores used as threshold (default 1: their maximum, so no held-out point is flagged). */
  readonly quantile?: number;
  /** A fixed threshold instead of the quantile. */
  readonly threshold?: number;
  /**
   * Average the squared standardised error over this many trailing steps (default 10): sustained
   * anomalies (a changed frequency, a flat stretch) then stand out of the noise; 1 scores each
   * point alone, which places spikes exactly.
   */
  readonly smooth?: number;
  /** A flagged run starting this many steps after a labelled segment still belongs to it (default: the window). */
  readonly tolerance?: number;
  /** Fit on this series (all of it but the held-out tail) and score all of `series`. */
  readonly train?: Series;
  /** A trained model: no training; its standardisation, error scale and threshold are used. */
  readonly model?: TrainedModel;
  readonly onProgress?: (done: number, total: number) => void;
  readonly onEpoch?: (stats: EpochStats) => void;
  /** Receives warnings (drift, anomalies labelled inside the normal part). */
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
  /** Per channel: mean and standard deviation of the prediction error on the fit part. */
  readonly errorMean: Float64Array;
  readonly errorStd: Float64Array;
  readonly threshold: number;
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

export interface MethodResult {
  readonly scores: Float64Array;
  readonly threshold: number;
  readonly flagged: Uint8Array;
  readonly metrics?: DetectionMetrics;
}

export interface DriftCheck {
  readonly channel: string;
  /** How far the evaluated part's mean lies from the fit part's, in fit standard deviations. */
  readonly meanShift: number;
  /** Fraction of evaluated points outside the fit range widened by a quarter of its width. */
  readonly outsideFraction: number;
  readonly drifts: boolean;
}

export interface Detection {
  readonly model: TrainedModel;
  readonly regions: Regions;
  readonly rnn: MethodResult;
  /** The rolling z-score baseline (absent when a saved model is used: there is no held-out part). */
  readonly baseline?: MethodResult;
  readonly history: readonly EpochStats[];
  readonly drift: readonly DriftCheck[];
  readonly warnings: readonly string[];
}

/** Mean shift (in fit standard deviations) beyond which the series is said to drift. */
const DRIFT_MEAN_SHIFT = 2;
/** Fraction of points outside the widened fit range beyond which the series is said to drift. */
const DRIFT_OUTSIDE_FRACTION = 0.05;

function tooShort(series: Series, needed: number, what: string): InputError {
  const where = locate(series, series.length - 1);
  return new InputError(`${where}: the series ends after ${series.length} points; ${what} needs at least ${needed}`);
}

function channelStats(values: Float64Array, C: number, from: number, to: number): { mean: Float64Array; std: Float64Array; min: Float64Array; max: Float64Array } {
  const mean = new Float64Array(C);
  const std = new Float64Array(C);
  const min = new Float64Array(C).fill(Infinity);
  const max = new Float64Array(C).fill(-Infinity);
  const count = new Float64Array(C);
  for (let t = from; t < to; t++) {
    for (let c = 0; c < C; c++) {
      const v = values[t * C + c]!;
      if (!Number.isFinite(v)) continue;
      mean[c] += v;
      count[c]++;
      if (v < min[c]!) min[c] = v;
      if (v > max[c]!) max[c] = v;
    }
  }
  for (let c = 0; c < C; c++) mean[c] /= count[c]!;
  for (let t = from; t < to; t++) {
    for (let c = 0; c < C; c++) {
      const v = values[t * C + c]!;
      if (Number.isFinite(v)) std[c] += (v - mean[c]!) ** 2;
    }
  }
  for (let c = 0; c < C; c++) std[c] = Math.sqrt(std[c]! / Math.max(1, count[c]! - 1));
  return { mean, std, min, max };
}

function standardise(values: Float64Array, C: number, mean: Float64Array, std: Float64Array): Float64Array {
  const z = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) z[i] = (values[i]! - mean[i % C]!) / std[i % C]!;
  return z;
}

/** Root mean square over channels of the standardised error, averaged over `smooth` steps. */
export function errorScores(errors: Float64Array, C: number, errorMean: Float64Array, errorStd: Float64Array, smooth: number): Float64Array {
  const T = errors.length / C;
  const squared = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let total = 0;
    for (let c = 0; c < C; c++) total += ((errors[t * C + c]! - errorMean[c]!) / errorStd[c]!) ** 2;
    squared[t] = total / C;
  }
  const scores = new Float64Array(T).fill(Number.NaN);
  for (let t = 0; t < T; t++) {
    if (t - smooth + 1 < 0) continue;
    let total = 0;
    for (let k = t - smooth + 1; k <= t; k++) total += squared[k]!;
    scores[t] = Math.sqrt(total / smooth);
  }
  return scores;
}

/** Checks each channel of [from, to) against the fit part's statistics. */
export function checkDrift(series: Series, fit: { mean: Float64Array; std: Float64Array; min: Float64Array; max: Float64Array }, from: number, to: number): DriftCheck[] {
  const C = series.channels.length;
  const scored = channelStats(series.values, C, from, to);
  return series.channels.map((channel, c) => {
    const meanShift = Math.abs(scored.mean[c]! - fit.mean[c]!) / fit.std[c]!;
    const margin = 0.25 * (fit.max[c]! - fit.min[c]!);
    let outside = 0;
    for (let t = from; t < to; t++) {
      const v = series.values[t * C + c]!;
      if (v < fit.min[c]! - margin || v > fit.max[c]! + margin) outside++;
    }
    const outsideFraction = to > from ? outside / (to - from) : 0;
    return { channel, meanShift, outsideFraction, drifts: meanShift > DRIFT_MEAN_SHIFT || outsideFraction > DRIFT_OUTSIDE_FRACTION };
  });
}

function driftMessage(d: DriftCheck): string {
  return (
    `the series drifts in column '${d.channel}': the scored part's mean lies ${d.meanShift.toFixed(1)} standard deviations from the fit part's, ` +
    `and ${(100 * d.outsideFraction).toFixed(1)}% of its points fall outside the fit range; the model assumes a stationary process, ` +
    `so its scores there measure the drift more than anomalies (fit on recent data, or difference the series)`
  );
}

interface Prepared {
  readonly window: number;
  readonly horizon: number;
  readonly smooth: number;
  readonly C: number;
  readonly regions: Regions;
  readonly training: Series;
  readonly normalEnd: number;
  readonly fitStats?: ReturnType<typeof channelStats>;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  readonly zTrain: Float64Array;
  readonly z: Float64Array;
}

/** Phases 1 and 2: checks, regions and standardisation. */
function prepare(series: Series, options: DetectOptions, warn: (message: string) => void): Prepared {
  const saved = options.model;
  const window = saved?.window ?? options.window ?? 50;
  const smooth = saved?.smooth ?? options.smooth ?? 10;
  const horizon = saved?.horizon ?? options.horizon ?? 1;
  const C = series.channels.length;
  if (!Number.isInteger(window) || window < 2) throw new InputError(`--window must be an integer of at least 2, found ${window}`);
  if (!Number.isInteger(horizon) || horizon < 1) throw new InputError(`--horizon must be a positive integer, found ${horizon}`);
  if (!Number.isInteger(smooth) || smooth < 1) throw new InputError(`--smooth must be a positive integer, found ${smooth}`);
  if (series.length < window + horizon) {
    throw tooShort(series, window + horizon, horizon === 1 ? `a window of ${window} points plus one to predict` : `a window of ${window} points plus a forecast ${horizon} steps ahead`);
  }
  if (saved) {
    const expected = saved.channels.join(', ');
    if (saved.channels.length !== C || saved.channels.some((name, c) => name !== series.channels[c])) {
      throw new InputError(`the model was trained on column(s) ${expected}; the series has ${series.channels.join(', ')}`);
    }
  }
  const training = options.train ?? series;
  if (options.train && (options.train.channels.length !== C || options.train.channels.some((n, c) => n !== series.channels[c]))) {
    throw new InputError(`the training series has column(s) ${options.train.channels.join(', ')}; the scored series has ${series.channels.join(', ')}`);
  }

  // Phase 1: regions.
  const normalFraction = options.train ? 1 : (options.normalFraction ?? 0.5);
  const holdoutFraction = options.holdoutFraction ?? 0.4;
  const normalEnd = Math.floor(training.length * normalFraction);
  const fitEnd = Math.floor(normalEnd * (1 - holdoutFraction));
  const regions: Regions = saved
    ? { fitEnd: 0, holdoutEnd: 0, evaluateFrom: window, separateTraining: false }
    : { fitEnd, holdoutEnd: normalEnd, evaluateFrom: options.train ? window : normalEnd, separateTraining: Boolean(options.train) };
  if (!saved) {
    const neededFit = 2 * window + 1;
    if (fitEnd < neededFit) {
      throw tooShort(training, Math.ceil(neededFit / ((1 - holdoutFraction) * normalFraction)), `fitting with --window ${window} (${neededFit} points in the fit part, which is ${Math.round(100 * normalFraction * (1 - holdoutFraction))}% of the series)`);
    }
    if (normalEnd - fitEnd < 1) throw tooShort(training, normalEnd + 1, 'holding out normal points for the threshold');
    if (!options.train && regions.evaluateFrom >= series.length) throw tooShort(series, normalEnd + 1, 'scoring after the normal part');
    if (training.labels) {
      let labelled = 0;
      for (let t = 0; t < normalEnd; t++) labelled += training.labels[t]!;
      if (labelled > 0) warn(`${labelled} point(s) labelled anomalous lie in the part treated as normal (the first ${normalEnd} points); they are trained on and lift the threshold`);
    }
  }

  // Phase 2: standardisation.
  const fitStats = saved ? undefined : channelStats(training.values, C, 0, fitEnd);
  const mean = saved?.mean ?? fitStats!.mean;
  const std = saved?.std ?? fitStats!.std;
  series.channels.forEach((name, c) => {
    if (!(std[c]! > 1e-12)) throw new InputError(`column '${name}' is constant over the fit part (the first ${fitEnd} points); there is nothing to predict`);
  });
  const zTrain = standardise(training.values, C, mean, std);
  const z = options.train ? standardise(series.values, C, mean, std) : zTrain;
  return { window, horizon, smooth, C, regions, training, normalEnd, ...(fitStats ? { fitStats } : {}), mean, std, zTrain, z };
}

function trainingOptions(options: DetectOptions, prepared: Prepared, random: ReturnType<typeof createRandom>) {
  return {
    window: prepared.window,
    epochs: options.epochs ?? 20,
    clip: options.clip ?? 1,
    lr: options.lr,
    optimizer: options.optimizer,
    batch: options.batch,
    stride: options.stride,
    random,
    onProgress: options.onProgress,
    onEpoch: options.onEpoch,
  };
}

/**
 * Phases 1 to 3 only: the training history of the predictor that detect() would train with
 * these options (same seed, same initial weights), stopping rather than failing if it
 * diverges. For comparing runs, such as with and without clipping.
 */
export function trainingHistory(series: Series, options: DetectOptions): EpochStats[] {
  const prepared = prepare(series, { ...options, model: undefined }, () => {});
  const random = createRandom(options.seed ?? 1);
  const predictor = createPredictor(options.cell, prepared.C, options.hidden ?? 32, random.fork());
  return trainPredictor(predictor, prepared.zTrain, prepared.regions.fitEnd, { ...trainingOptions(options, prepared, random.fork()), onDivergence: 'stop' });
}

/** Runs the whole pipeline (phases in the file comment). */
export function detect(series: Series, options: DetectOptions): Detection {
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    options.warn?.(message);
  };
  const saved = options.model;
  const prepared = prepare(series, options, warn);
  const { window, horizon, smooth, C, regions, training, normalEnd, fitStats, mean, std, zTrain, z } = prepared;
  const { fitEnd } = regions;

  // Phase 3: the predictor.
  const random = createRandom(options.seed ?? 1);
  let predictor: Predictor;
  let history: EpochStats[] = [];
  if (saved) predictor = saved.predictor;
  else {
    predictor = createPredictor(options.cell, C, options.hidden ?? 32, random.fork());
    history = trainPredictor(predictor, zTrain, fitEnd, trainingOptions(options, prepared, random.fork()));
  }

  // Phase 4: scores.
  const trainErrors = predictionErrors(predictor, zTrain, training.length, window, horizon);
  const firstError = window + horizon - 1;
  let errorMean: Float64Array;
  let errorStd: Float64Array;
  if (saved) ({ errorMean, errorStd } = saved);
  else {
    const stats = channelStats(trainErrors, C, firstError, fitEnd);
    errorMean = stats.mean;
    errorStd = stats.std.map((s) => Math.max(s, 1e-12));
  }
  const trainScores = errorScores(trainErrors, C, errorMean, errorStd, smooth);
  const scores = options.train ? errorScores(predictionErrors(predictor, z, series.length, window, horizon), C, errorMean, errorStd, smooth) : trainScores;

  // Phase 5: threshold, flags, metrics.
  const quantileLevel = options.quantile ?? 1;
  const threshold = options.threshold ?? saved?.threshold ?? pickThreshold(trainScores, Math.max(fitEnd, firstError + smooth - 1), normalEnd, quantileLevel);
  const evaluation = { from: regions.evaluateFrom, to: series.length, tolerance: options.tolerance ?? window };
  const onlyEvaluated = (flags: Uint8Array) => flags.map((f, t) => (t >= regions.evaluateFrom ? f : 0));
  const flagged = onlyEvaluated(flag(scores, threshold));
  const rnn: MethodResult = { scores, threshold, flagged, ...(series.labels ? { metrics: evaluate(flagged, series.labels, evaluation) } : {}) };

  // Phase 6: the baseline, on the same held-out part.
  let baseline: MethodResult | undefined;
  if (!saved) {
    const baselineTrain = rollingZScore(training, window);
    const baselineScores = options.train ? rollingZScore(series, window) : baselineTrain;
    const baselineThreshold = pickThreshold(baselineTrain, Math.max(fitEnd, window), normalEnd, quantileLevel);
    const baselineFlags = onlyEvaluated(flag(baselineScores, baselineThreshold));
    baseline = {
      scores: baselineScores,
      threshold: baselineThreshold,
      flagged: baselineFlags,
      ...(series.labels ? { metrics: evaluate(baselineFlags, series.labels, evaluation) } : {}),
    };
  }

  // Phase 7: drift.
  const reference = fitStats ?? { mean, std, min: mean.map((m, c) => m - 3 * std[c]!), max: mean.map((m, c) => m + 3 * std[c]!) };
  const drift = checkDrift(series, reference, regions.evaluateFrom, series.length);
  for (const d of drift) if (d.drifts) warn(driftMessage(d));

  const model: TrainedModel = { predictor, channels: series.channels, window, horizon, smooth, mean, std, errorMean, errorStd, threshold };
  return { model, regions, rnn, ...(baseline ? { baseline } : {}), history, drift, warnings };
}
