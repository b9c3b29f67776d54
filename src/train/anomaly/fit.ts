/**
 * train/anomaly: phases 3 and 4 of detect.ts for one seed: train the predictor, refit robustly,
 * and score. Real "normal" data holds anomalies too; trained on, they teach the model to
 * expect them and inflate the error scale that standardises every score. The robust refit
 * finds the fit-part points whose prediction error lies more than ROBUST_CUT robust standard
 * deviations (1.4826·MAD) from the median error, replaces them by the first fit's predictions
 * (an imputation, so windows stay contiguous), and trains half as many epochs more on the
 * cleaned series; the error scale is then taken over the points that were not replaced, and
 * runs of unpredictable points in the normal part are left out of the threshold (burstMask).
 */
import { createRandom, type Random } from '../../random.js';
import type { DetectOptions } from './detect-types.js';
import { createPredictor, predictionErrors, trainPredictor, type EpochStats, type Predictor } from './model.js';
import { LOCAL_SCALE_DEFAULT, locallyStandardised } from './local-scale.js';
import { channelStats, prepare, rmsScores, standardisedErrors, type Prepared } from './prepare.js';
import { SPREAD_FLOOR } from './baseline.js';
import { quantile, robustSpread } from './quantile.js';
import type { SeasonalProfile } from './seasonal.js';
import type { Series } from './types.js';

/** Errors beyond this many robust standard deviations are "cannot predict". */
export const ROBUST_CUT = 4;

export interface Member {
  readonly predictor: Predictor;
  readonly history: EpochStats[];
  readonly errorMean: Float64Array;
  readonly errorStd: Float64Array;
  /** Scores of the training series, and of the scored series (the same array without a separate training series). */
  readonly trainScores: Float64Array;
  readonly scores: Float64Array;
  /** The same scores unaveraged (smooth 1): each point's own standardised error, for localiseRuns. */
  readonly pointScores: Float64Array;
  /** The scored series' prediction errors, step-major (T × channels; NaN before the first prediction). */
  readonly errors: Float64Array;
  /** Fit-part points the robust refit replaced. */
  readonly replaced: number;
  /** With `excludeBursts`: normal-part steps left out of the threshold's calibration (burstMask). */
  readonly bursts?: Uint8Array;
}

function trainingOptions(options: DetectOptions, prepared: Prepared, random: Random, epochs = options.epochs ?? 20) {
  return {
    window: prepared.window,
    epochs,
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
 * 1 at the steps of [from, until) whose error in some channel lies beyond `cut` (ROBUST_CUT)
 * robust standard deviations of the errors in [from, to) (the fit part; `until` defaults to `to`).
 */
export function unpredictable(errors: Float64Array, C: number, from: number, to: number, until = to, cut = ROBUST_CUT): Uint8Array {
  const mask = new Uint8Array(errors.length / C);
  for (let c = 0; c < C; c++) {
    const channel: number[] = [];
    for (let t = from; t < to; t++) channel.push(errors[t * C + c]!);
    const { median, spread } = robustSpread(channel);
    if (!(spread > 0)) continue;
    for (let t = from; t < until; t++) if (Math.abs(errors[t * C + c]! - median) > cut * spread) mask[t] = 1;
  }
  return mask;
}

/** A burst holds at least this many unpredictable steps (one spike makes two: its own step and the next prediction, made from it). */
export const BURST_LENGTH = 3;

/**
 * The steps the threshold is not calibrated on: bursts of unpredictable steps (as the robust
 * refit judges them) in [from, until), with the `smooth` − 1 steps after each, whose averaged
 * scores the burst lifts. Unpredictable steps at most `smooth` apart form one group (an
 * oscillating anomaly crosses the prediction now and then); a group of BURST_LENGTH or more is
 * a burst. A multi-point anomaly in the normal part otherwise fills the top 2% of the scores
 * that the POT tail is fitted to, and no outlier test on single peaks removes it; isolated
 * large errors stay in (they are the normal tail, and POT's own test handles a lone spike).
 */
export function burstMask(unpredictableSteps: Uint8Array, from: number, until: number, smooth: number): Uint8Array {
  const mask = new Uint8Array(unpredictableSteps.length);
  let first = -1;
  let last = -1;
  let count = 0;
  const close = () => {
    if (count >= BURST_LENGTH) mask.fill(1, first, Math.min(mask.length, last + smooth));
  };
  for (let t = from; t < until; t++) {
    if (!unpredictableSteps[t]) continue;
    if (first >= 0 && t - last <= smooth) {
      last = t;
      count++;
      continue;
    }
    close();
    [first, last, count] = [t, t, 1];
  }
  close();
  return mask;
}

/**
 * Per channel: the smallest error standard deviation, SPREAD_FLOOR of the series' own scale in
 * the units the predictor reads. The input is the value standardised by the fit part (one unit =
 * one standard deviation), or its seasonal residual divided by the phase's scale, where one
 * standard deviation is 1/scale units (the median over phases). A series the predictor (or
 * the seasonal profile) follows exactly otherwise standardises its errors by rounding noise:
 * art_increase_spike_density, zero but for a spike every 100 steps that the profile holds,
 * had an error scale at the old absolute floor of 1e-12 and thresholds near 1e15.
 */
export function errorFloors(seasonal: readonly (SeasonalProfile | undefined)[], C: number): Float64Array {
  return Float64Array.from({ length: C }, (_, c) => {
    const profile = seasonal[c];
    return SPREAD_FLOOR * (profile ? quantile(Array.from(profile.scale, (s) => 1 / s), 0.5) : 1);
  });
}

/** One predictor: trained, refit, and its scores. */
export function fitMember(series: Series, options: DetectOptions, prepared: Prepared, random: Random): Member {
  const { window, horizon, smooth, C, training, zTrain, z } = prepared;
  const { fitEnd } = prepared.regions;
  const saved = options.model;
  const firstError = window + horizon - 1;
  let predictor: Predictor;
  let history: EpochStats[] = [];
  let trainErrors: Float64Array;
  let replaced = 0;
  let errorMean: Float64Array;
  let errorStd: Float64Array;
  let bursts: Uint8Array | undefined;
  if (saved) {
    predictor = saved.predictor;
    trainErrors = predictionErrors(predictor, zTrain, training.length, window, horizon);
    ({ errorMean, errorStd } = saved);
  } else {
    predictor = createPredictor(options.cell, C, options.hidden ?? 32, random.fork());
    const trainRandom = random.fork();
    history = trainPredictor(predictor, zTrain, fitEnd, trainingOptions(options, prepared, trainRandom));
    trainErrors = predictionErrors(predictor, zTrain, training.length, window, horizon);
    const robust = options.robustFit !== false;
    let skip = robust ? unpredictable(trainErrors, C, firstError, fitEnd) : undefined;
    replaced = skip ? skip.reduce((a, b) => a + b, 0) : 0;
    if (skip && replaced > 0) {
      const cleaned = zTrain.slice();
      for (let t = firstError; t < fitEnd; t++) {
        if (skip[t]) for (let c = 0; c < C; c++) cleaned[t * C + c] = zTrain[t * C + c]! - trainErrors[t * C + c]!;
      }
      const more = Math.max(1, Math.ceil((options.epochs ?? 20) / 2));
      const refit = trainPredictor(predictor, cleaned, fitEnd, trainingOptions(options, prepared, trainRandom, more));
      history = [...history, ...refit.map((e) => ({ ...e, epoch: e.epoch + history.length }))];
      trainErrors = predictionErrors(predictor, zTrain, training.length, window, horizon);
      skip = unpredictable(trainErrors, C, firstError, fitEnd);
    }
    const stats = channelStats(trainErrors, C, firstError, fitEnd, skip);
    errorMean = stats.mean;
    const floor = errorFloors(prepared.seasonal, C);
    errorStd = stats.std.map((s, c) => Math.max(s, floor[c]!));
    if (robust && options.excludeBursts) {
      const normalEnd = prepared.regions.holdoutEnd;
      bursts = burstMask(unpredictable(trainErrors, C, firstError, fitEnd, normalEnd), firstError, normalEnd, smooth);
    }
  }
  // Each error standardised by the fit part, then judged against its own recent past (local-scale.ts).
  const localScale = saved?.localScale ?? options.localScale ?? LOCAL_SCALE_DEFAULT;
  const judged = (e: Float64Array) => {
    const z = standardisedErrors(e, C, errorMean, errorStd);
    return localScale > 0 ? locallyStandardised(z, C, localScale) : z;
  };
  const judgedTrain = judged(trainErrors);
  const trainScores = rmsScores(judgedTrain, C, smooth);
  const errors = options.train ? predictionErrors(predictor, z, series.length, window, horizon) : trainErrors;
  const judgedErrors = options.train ? judged(errors) : judgedTrain;
  const scores = options.train ? rmsScores(judgedErrors, C, smooth) : trainScores;
  const pointScores = rmsScores(judgedErrors, C, 1);
  return { predictor, history, errorMean, errorStd, trainScores, scores, pointScores, errors, replaced, ...(bursts ? { bursts } : {}) };
}

/**
 * Phases 1 to 3 only: the training history of the predictor that detect() would train with
 * these options (same seed, same initial weights), stopping rather than failing if it
 * diverges, without the robust refit. For comparing runs, such as with and without clipping.
 */
export function trainingHistory(series: Series, options: DetectOptions): EpochStats[] {
  const prepared = prepare(series, { ...options, model: undefined });
  const random = createRandom(options.seed ?? 1);
  const predictor = createPredictor(options.cell, prepared.C, options.hidden ?? 32, random.fork());
  return trainPredictor(predictor, prepared.zTrain, prepared.regions.fitEnd, { ...trainingOptions(options, prepared, random.fork()), onDivergence: 'stop' });
}

/** The pointwise median of several score arrays (NaN where any is NaN). */
export function medianScores(all: readonly Float64Array[]): Float64Array {
  if (all.length === 1) return all[0]!;
  const T = all[0]!.length;
  const out = new Float64Array(T);
  const column = new Float64Array(all.length);
  for (let t = 0; t < T; t++) {
    all.forEach((s, k) => (column[k] = s[t]!));
    column.sort();
    const n = column.length;
    out[t] = n % 2 ? column[(n - 1) / 2]! : (column[n / 2 - 1]! + column[n / 2]!) / 2;
  }
  return out;
}
