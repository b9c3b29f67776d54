/**
 * train/anomaly: the detection pipeline's first phases (see detect.ts): checks, regions,
 * standardisation, the error score, and the drift hint.
 */
import { InputError } from '../../errors.js';
import { quantile } from './quantile.js';
import { LEVEL_WINDOW_DEFAULT, levelRelative, levelWindowFor, type LevelRelativePart } from './level.js';
import { deseasonalise, seasonalProfile, type SeasonalProfile } from './seasonal.js';
import { locate, type Series } from './types.js';
import type { DetectOptions, Regions, TrainedModel } from './detect-types.js';

export interface ChannelStats {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

export interface DriftCheck {
  readonly channel: string;
  /** How far the scored part's median lies from the fit part's, in the fit part's interquartile ranges. */
  readonly medianShift: number;
  /** Fraction of scored points outside the fit part's [0.5%, 99.5%] quantile range widened by a quarter of its width. */
  readonly outsideFraction: number;
  readonly drifts: boolean;
}

/**
 * Beyond these the scored part is said to come from another distribution than the fit part.
 * Medians and a large fraction, so that one labelled incident (NAB's windows are a tenth of a
 * series) does not make the whole series "drift".
 */
const DRIFT_MEDIAN_SHIFT = 1;
const DRIFT_OUTSIDE_FRACTION = 0.25;

export function tooShort(series: Series, needed: number, what: string): InputError {
  const where = locate(series, series.length - 1);
  return new InputError(`${where}: the series ends after ${series.length} points; ${what} needs at least ${needed}`);
}

/** Per channel mean and (sample) standard deviation of the finite values in [from, to), skipping steps where `skip` is 1. */
export function channelStats(values: Float64Array, C: number, from: number, to: number, skip?: Uint8Array): ChannelStats {
  const mean = new Float64Array(C);
  const std = new Float64Array(C);
  const count = new Float64Array(C);
  const use = (t: number, v: number) => Number.isFinite(v) && !(skip && skip[t]);
  for (let t = from; t < to; t++) {
    for (let c = 0; c < C; c++) {
      const v = values[t * C + c]!;
      if (!use(t, v)) continue;
      mean[c] += v;
      count[c]++;
    }
  }
  for (let c = 0; c < C; c++) mean[c] /= count[c]!;
  for (let t = from; t < to; t++) {
    for (let c = 0; c < C; c++) {
      const v = values[t * C + c]!;
      if (use(t, v)) std[c] += (v - mean[c]!) ** 2;
    }
  }
  for (let c = 0; c < C; c++) std[c] = Math.sqrt(std[c]! / Math.max(1, count[c]! - 1));
  return { mean, std };
}

export function standardise(values: Float64Array, C: number, mean: Float64Array, std: Float64Array): Float64Array {
  const z = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) z[i] = (values[i]! - mean[i % C]!) / std[i % C]!;
  return z;
}

/** Root mean square over channels of the standardised error, averaged over `smooth` steps. */
export function errorScores(errors: Float64Array, C: number, errorMean: Float64Array, errorStd: Float64Array, smooth: number): Float64Array {
  return rmsScores(standardisedErrors(errors, C, errorMean, errorStd), C, smooth);
}

/** Each channel's error standardised by the fit part's error mean and standard deviation (step-major). */
export function standardisedErrors(errors: Float64Array, C: number, errorMean: Float64Array, errorStd: Float64Array): Float64Array {
  return errors.map((e, i) => (e - errorMean[i % C]!) / errorStd[i % C]!);
}

/** Root mean square over channels of standardised errors z (step-major), averaged over `smooth` steps. */
export function rmsScores(z: Float64Array, C: number, smooth: number): Float64Array {
  const T = z.length / C;
  const squared = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let total = 0;
    for (let c = 0; c < C; c++) total += z[t * C + c]! ** 2;
    squared[t] = total / C;
  }
  const scores = new Float64Array(T).fill(Number.NaN);
  for (let t = smooth - 1; t < T; t++) {
    let total = 0;
    for (let k = t - smooth + 1; k <= t; k++) total += squared[k]!;
    scores[t] = Math.sqrt(total / smooth);
  }
  return scores;
}

function channelValues(series: Series, c: number, from: number, to: number): number[] {
  const C = series.channels.length;
  const out: number[] = [];
  for (let t = from; t < to; t++) out.push(series.values[t * C + c]!);
  return out;
}

/** Compares each channel's distribution on the scored part [from, to) with the fit part [0, fitEnd) of `fit`. */
export function checkDrift(fit: Series, fitEnd: number, series: Series, from: number, to: number): DriftCheck[] {
  return series.channels.map((channel, c) => {
    const reference = channelValues(fit, c, 0, fitEnd);
    const scored = channelValues(series, c, from, to);
    if (reference.length === 0 || scored.length === 0) return { channel, medianShift: 0, outsideFraction: 0, drifts: false };
    const iqr = quantile(reference, 0.75) - quantile(reference, 0.25);
    const spread = iqr > 0 ? iqr : Math.max(1e-12, quantile(reference, 1) - quantile(reference, 0));
    const medianShift = Math.abs(quantile(scored, 0.5) - quantile(reference, 0.5)) / spread;
    const low = quantile(reference, 0.005);
    const high = quantile(reference, 0.995);
    const margin = 0.25 * (high - low);
    const outsideFraction = scored.filter((v) => v < low - margin || v > high + margin).length / scored.length;
    return { channel, medianShift, outsideFraction, drifts: medianShift > DRIFT_MEDIAN_SHIFT || outsideFraction > DRIFT_OUTSIDE_FRACTION };
  });
}

export function driftMessage(d: DriftCheck): string {
  return (
    `hint: column '${d.channel}' is distributed differently in the scored part than in the fit part (median shifted by ${d.medianShift.toFixed(1)} interquartile ranges, ` +
    `${(100 * d.outsideFraction).toFixed(0)}% of the points outside the fit part's range); the model learnt the fit part, so its scores may measure that change ` +
    `more than anomalies. If the change is not itself what you look for, fit on more recent data (--train) or on differences of the series`
  );
}

export interface Prepared {
  readonly window: number;
  readonly horizon: number;
  readonly smooth: number;
  /** Steps of recent inputs the predictor's input is taken relative to (0: none; level.ts). */
  readonly levelWindow: number;
  /** The fit part's level drift, when it chose the level window (none was given nor saved; level.ts, levelWindowFor). */
  readonly levelDrift?: number;
  readonly C: number;
  readonly regions: Regions;
  readonly training: Series;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /** Per channel: the seasonal profile the predictor's input is the residual from (seasonal.ts), if any. */
  readonly seasonal: readonly (SeasonalProfile | undefined)[];
  /** Standardised (and seasonally adjusted) values of the training series and of the scored series. */
  readonly zTrain: Float64Array;
  readonly z: Float64Array;
  /** The same before they are taken relative to their level (what the level alarm reads; level.ts). */
  readonly levelTrain: Float64Array;
  readonly level: Float64Array;
  /** Labelled anomalous points in the fit part and in the held-out part (of the training series). */
  readonly labelledInFit: number;
  readonly labelledInHoldout: number;
}

function checkSizes(window: number, horizon: number, smooth: number, localScale: number | undefined): void {
  if (!Number.isInteger(window) || window < 2) throw new InputError(`--window must be an integer of at least 2, found ${window}`);
  if (localScale !== undefined && !(Number.isInteger(localScale) && localScale >= 0)) throw new InputError(`--local-scale must be 0 (off) or a positive integer, found ${localScale}`);
  if (!Number.isInteger(horizon) || horizon < 1) throw new InputError(`--horizon must be a positive integer, found ${horizon}`);
  if (!Number.isInteger(smooth) || smooth < 1) throw new InputError(`--smooth must be a positive integer, found ${smooth}`);
}

function checkChannels(series: Series, options: DetectOptions, saved: TrainedModel | undefined): void {
  const C = series.channels.length;
  if (saved && (saved.channels.length !== C || saved.channels.some((name, c) => name !== series.channels[c]))) {
    throw new InputError(`the model was trained on column(s) ${saved.channels.join(', ')}; the series has ${series.channels.join(', ')}`);
  }
  if (options.train && (options.train.channels.length !== C || options.train.channels.some((n, c) => n !== series.channels[c]))) {
    throw new InputError(`the training series has column(s) ${options.train.channels.join(', ')}; the scored series has ${series.channels.join(', ')}`);
  }
}

function countLabels(labels: Uint8Array | undefined, from: number, to: number): number {
  let n = 0;
  if (labels) for (let t = from; t < to; t++) n += labels[t]!;
  return n;
}

/** Phases 1 and 2: checks, regions and standardisation. */
export function prepare(series: Series, options: DetectOptions): Prepared {
  const saved = options.model;
  const window = saved?.window ?? options.window ?? 50;
  const smooth = saved?.smooth ?? options.smooth ?? 5;
  const horizon = saved?.horizon ?? options.horizon ?? 1;
  // The level alarm reads the level against the level window, so it asks for one.
  const givenLevelWindow = saved?.levelWindow ?? options.levelWindow ?? (options.levelAlarm ? LEVEL_WINDOW_DEFAULT : undefined);
  const C = series.channels.length;
  checkSizes(window, horizon, smooth, options.localScale);
  if (givenLevelWindow !== undefined && !(Number.isInteger(givenLevelWindow) && givenLevelWindow >= 0)) throw new InputError(`--level-window must be 0 (off) or a positive integer, found ${givenLevelWindow}`);
  if (series.length < window + horizon) {
    throw tooShort(series, window + horizon, horizon === 1 ? `a window of ${window} points plus one to predict` : `a window of ${window} points plus a forecast ${horizon} steps ahead`);
  }
  checkChannels(series, options, saved);
  const training = options.train ?? series;

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
  }

  // Phase 2: standardisation.
  const fitStats = saved ? undefined : channelStats(training.values, C, 0, fitEnd);
  const mean = saved?.mean ?? fitStats!.mean;
  const std = saved?.std ?? fitStats!.std;
  series.channels.forEach((name, c) => {
    if (!(std[c]! > 1e-12)) throw new InputError(`column '${name}' is constant over the fit part (the first ${fitEnd} points); there is nothing to predict`);
  });
  const standardTrain = standardise(training.values, C, mean, std);
  const seasonal = saved?.seasonal ?? series.channels.map((_, c) => (options.seasonal === false ? undefined : seasonalProfile(standardTrain, C, c, fitEnd, window, options.timeStep)));
  const levelTrain = deseasonalise(standardTrain, C, seasonal, saved ? 0 : fitEnd);
  // The deviation from the recent level instead of the value itself, where the fit part's level wanders (level.ts).
  const chosen = givenLevelWindow === undefined ? levelWindowFor(levelTrain, C, fitEnd) : undefined;
  const levelWindow = givenLevelWindow ?? chosen!.window;
  const relative = (x: Float64Array, part?: LevelRelativePart) => (levelWindow > 0 ? levelRelative(x, C, levelWindow, part) : x);
  const level = options.train ? deseasonalise(standardise(series.values, C, mean, std), C, seasonal) : levelTrain;
  // The drift already read the fit part relative to its level: only the rest is computed again.
  const zTrain = relative(levelTrain, chosen?.fitRelative);
  const z = options.train ? relative(level) : zTrain;
  const labelledInFit = saved ? 0 : countLabels(training.labels, 0, fitEnd);
  const labelledInHoldout = saved ? 0 : countLabels(training.labels, fitEnd, normalEnd);
  return { window, horizon, smooth, levelWindow, ...(chosen ? { levelDrift: chosen.drift } : {}), C, regions, training, mean, std, seasonal, zTrain, z, levelTrain, level, labelledInFit, labelledInHoldout };
}
