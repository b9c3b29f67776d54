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
import { InputError } from '../../errors.js';
import { createRandom } from '../../random.js';
import { channelScale, hampelScore, rollingZScore } from './baseline.js';
import type { DetectOptions, Detection, Evaluation, MethodResult, TrainedModel } from './detect-types.js';
import { fitMember, medianScores, type Member } from './fit.js';
import { evaluate, referenceFlags } from './metrics.js';
import { LOCAL_SCALE_DEFAULT } from './local-scale.js';
import { LEVEL_MIN_CALIBRATION, LEVEL_PERSISTENCE, levelChannel, type LevelChannel } from './level.js';
import { localiseRuns } from './localise.js';
import { minRunFor, persistentRuns } from './persist.js';
import { nabScore } from './nab.js';
import { checkDrift, driftMessage, prepare, type Prepared } from './prepare.js';
import { flag, thresholdOf, type ThresholdOptions } from './threshold.js';
import type { Series } from './types.js';

export type { DetectOptions, Detection, Evaluation, MethodResult, Regions, TrainedModel } from './detect-types.js';
export type { DriftCheck } from './prepare.js';

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

/** Scores with the normal part's bursts (fit.ts, burstMask) blanked, so the threshold is not calibrated on them. */
const calibrated = (scores: Float64Array, bursts: Uint8Array | undefined) => (bursts ? scores.map((v, t) => (bursts[t] ? Number.NaN : v)) : scores);

/** Trains (or takes) the predictors: phases 3 and 4. */
function fitMembers(series: Series, options: DetectOptions, prepared: Prepared): Member[] {
  const K = options.ensemble ?? 1;
  if (!Number.isInteger(K) || K < 1) throw new InputError(`--ensemble must be a positive integer, found ${K}`);
  const random = createRandom(options.seed ?? 1);
  const count = options.model ? 1 : K;
  return Array.from({ length: count }, (_, k) => fitMember(series, options, prepared, k === 0 ? random : createRandom((options.seed ?? 1) + k)));
}

/**
 * The level alarm (level.ts): a slower channel beside the predictor's error, its threshold read
 * from the same normal part by the same rule (or the saved model's); undefined when off, or when
 * asked for on a normal part too short to read a threshold from (with a warning).
 */
function levelFor(options: DetectOptions, prepared: Prepared, rule: ThresholdOptions, minRun: number, warn: (message: string) => void): LevelChannel | undefined {
  const saved = options.model;
  const { levelWindow } = prepared;
  const { fitEnd, holdoutEnd: normalEnd } = prepared.regions;
  const levelFrom = calibrationRange(rule, fitEnd, levelWindow + LEVEL_PERSISTENCE - 1);
  const asked = !saved && options.levelAlarm === true;
  if (asked && levelWindow === 0) throw new InputError('--level-alarm reads the level against the level window; it cannot be used with --level-window 0');
  // A threshold needs some normal departures to be read from (a tail fit on fewer is noise).
  const calibratable = normalEnd - levelFrom >= LEVEL_MIN_CALIBRATION;
  if (asked && !calibratable) warn(`the level alarm is off: its threshold needs ${LEVEL_MIN_CALIBRATION} normal steps after the first ${levelFrom}, and the normal part ends at step ${normalEnd}`);
  const on = saved ? saved.levelThreshold !== undefined : asked && calibratable;
  if (!on) return undefined;
  // The predictor's inputs are these taken relative to their level at this window (prepare.ts): the departure starts from them.
  const inputs = { train: prepared.levelTrain, scored: prepared.level, C: prepared.C, fitEnd, ...(levelWindow > 0 ? { relative: { train: prepared.zTrain, scored: prepared.z } } : {}) };
  return levelChannel(inputs, levelWindow, minRun, (s) => thresholdOf(s, levelFrom, normalEnd, rule), saved?.levelThreshold);
}

/** How a method's scores become its result: flags over the scored part, and their evaluation against the labels. */
interface Judge {
  readonly flags: (scores: Float64Array, threshold: number, pointScores?: Float64Array) => Uint8Array;
  readonly evaluation: (flags: Uint8Array) => Evaluation | undefined;
}

/**
 * The judge of one detection. The rnn's runs (those with point scores) must persist, then are
 * localised, and the level alarms join them; the baselines' are kept as they are.
 */
function judgeFor(series: Series, options: DetectOptions, prepared: Prepared, minRun: number, level: LevelChannel | undefined): Judge {
  const { evaluateFrom } = prepared.regions;
  const localise = options.localise ?? LOCALISE_DEFAULT;
  const tolerance = options.tolerance ?? prepared.window;
  const rnnFlags = (s: Float64Array, th: number, points: Float64Array) => {
    const kept = persistentRuns(flag(s, th), minRun);
    const flags = localise ? localiseRuns(kept, points, th) : kept;
    return level ? flags.map((f, t) => f | level.alarms[t]!) : flags;
  };
  return {
    flags: (s, th, points) => (points ? rnnFlags(s, th, points) : flag(s, th)).map((f, t) => (t >= evaluateFrom ? f : 0)),
    evaluation: (flags) =>
      series.labels ? { metrics: evaluate(flags, series.labels, { from: evaluateFrom, tolerance }), nab: nabScore(flags, series.labels, { from: evaluateFrom }) } : undefined,
  };
}

function methodResult(judge: Judge, name: string, scores: Float64Array, threshold: number, pointScores?: Float64Array): MethodResult {
  const flagged = judge.flags(scores, threshold, pointScores);
  const e = judge.evaluation(flagged);
  return { name, scores, ...(pointScores ? { pointScores } : {}), threshold, flagged, ...(e ? { evaluation: e } : {}) };
}

/** Phase 6: the rolling z-score and the Hampel identifier, thresholded on the same normal part by the same rule. */
function baselinesOf(series: Series, options: DetectOptions, prepared: Prepared, rule: ThresholdOptions, bursts: Uint8Array | undefined, judge: Judge): MethodResult[] {
  const { training, window } = prepared;
  const { fitEnd, holdoutEnd: normalEnd } = prepared.regions;
  const scale = channelScale(training, 0, fitEnd);
  return ([['rolling z-score', rollingZScore], ['hampel', hampelScore]] as const).map(([name, scorer]) => {
    const trainBaseline = scorer(training, window, scale);
    const scored = options.train ? scorer(series, window, scale) : trainBaseline;
    return methodResult(judge, name, scored, thresholdOf(calibrated(trainBaseline, bursts), calibrationRange(rule, fitEnd, window), normalEnd, rule));
  });
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
  const { window, horizon, smooth, regions, training, levelWindow } = prepared;
  const { fitEnd, holdoutEnd: normalEnd } = regions;
  const members = fitMembers(series, options, prepared);
  const first = members[0]!;
  const trainScores = medianScores(members.map((m) => m.trainScores));
  const scores = options.train ? medianScores(members.map((m) => m.scores)) : trainScores;
  const minRun = minRunFor(smooth, options.minRun);

  // Phase 5: threshold, flags, metrics.
  const rule = options.thresholdRule ?? DEFAULT_THRESHOLD_RULE;
  const calibration = calibrationRange(rule, fitEnd, window + horizon - 1 + smooth - 1);
  const thresholdFor = (member: Member, memberScores: Float64Array) => rnnThreshold(thresholdOf(calibrated(memberScores, member.bursts), calibration, normalEnd, rule));
  const threshold = options.threshold ?? saved?.threshold ?? thresholdFor(first, trainScores);
  const level = levelFor(options, prepared, rule, minRun, warn);
  const judge = judgeFor(series, options, prepared, minRun, level);
  const rnn = methodResult(judge, options.cell.name, scores, threshold, medianScores(members.map((m) => m.pointScores)));
  const memberEvaluations = members.length > 1 && series.labels ? members.map((m) => judge.evaluation(judge.flags(m.scores, thresholdFor(m, m.trainScores), m.pointScores))!) : [];
  // Phase 6 (not with a saved model: there is no normal part to threshold them on).
  const baselines = saved ? [] : baselinesOf(series, options, prepared, rule, first.bursts, judge);
  const reference = series.labels ? referenceFlags(series.length, regions.evaluateFrom) : undefined;
  const references = reference ? { nothing: judge.evaluation(reference.nothing)!, everything: judge.evaluation(reference.everything)! } : undefined;

  // Phase 7: drift, fit part against scored part.
  const drift = saved ? [] : checkDrift(training, fitEnd, series, regions.evaluateFrom, series.length);
  for (const d of drift) if (d.drifts) warn(driftMessage(d));

  const localScale = saved?.localScale ?? options.localScale ?? LOCAL_SCALE_DEFAULT;
  const { mean, std, seasonal } = prepared;
  const model: TrainedModel = { predictor: first.predictor, channels: series.channels, window, horizon, smooth, mean, std, seasonal, errorMean: first.errorMean, errorStd: first.errorStd, localScale, levelWindow, threshold, ...(level ? { levelThreshold: level.threshold } : {}) };
  const burstSteps = first.bursts?.reduce((a, b) => a + b, 0) ?? 0;
  const fit = { replaced: first.replaced, burstSteps, labelledInFit: prepared.labelledInFit, labelledInHoldout: prepared.labelledInHoldout };
  const chosen = prepared.levelDrift !== undefined ? { levelDrift: prepared.levelDrift } : {};
  return { model, regions, rnn, baselines, ...(level ? { level } : {}), ...chosen, ...(references ? { references } : {}), members: memberEvaluations, history: first.history, fit, drift, warnings };
}
