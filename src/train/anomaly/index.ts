/**
 * train/anomaly: a recurrent next-value predictor (any one-input cell: rnn, gru, lstm, a .cell
 * file) trained with BPTT on the engine, that flags the points it cannot predict, next to a
 * rolling z-score baseline; plus a seeded benchmark generator and the metrics to compare them.
 *
 * ```ts
 * // anomaly = this module (the library exports it as the train stage's `anomaly` namespace)
 * const series = anomaly.synthSeries({ seed: 1, kinds: ['flat'] }); // or io's readSeries('data.csv')
 * const result = anomaly.detect(series, { cell: loadCell('rnn'), hidden: 32, window: 50, epochs: 20, warn: console.warn });
 * result.rnn.evaluation?.metrics.composite.f1; // event recall × point precision (Garg et al. 2021); also points, range, events
 * result.rnn.evaluation?.nab.normalised;  // the NAB score; result.baselines: rolling z-score and Hampel identifier
 * result.history[0].gradNormMax;         // gradient norm before clipping, per epoch
 * anomaly.flaggedCsv(series, result);    // text to write; anomaly.modelToJson(result.model, cellSource) to save
 * ```
 * detect() returns plain arrays (scores, flags, per-epoch figures); plot's detectionChart and
 * trainingChart draw them.
 */
export { detect, DEFAULT_THRESHOLD_RULE, LOCALISE_DEFAULT, MIN_RNN_THRESHOLD, type DetectOptions, type Detection, type TrainedModel, type Regions, type MethodResult, type Evaluation, type DriftCheck } from './detect.js';
export { trainingHistory, medianScores, unpredictable, burstMask, errorFloors, ROBUST_CUT, BURST_LENGTH } from './fit.js';
export { createPredictor, trainPredictor, predictWindows, windowLoss, predictionErrors, type Predictor, type TrainOptions, type EpochStats, type OptimizerName } from './model.js';
export { synthSeries, seriesToCsv, ANOMALY_KINDS, type AnomalyKind, type SynthOptions, type SynthSeries, type InjectedAnomaly } from './synth.js';
export { evaluate, runsOf, referenceFlags, type DetectionMetrics, type PointCounts, type EventCounts, type Scores } from './metrics.js';
export { localiseRuns } from './localise.js';
export { persistentRuns, minRunFor, MIN_RUN_DEFAULT } from './persist.js';
export { locallyStandardised, medianAbsoluteDeviation, LOCAL_SCALE_MIN_PAST, LOCAL_SCALE_DEFAULT, LOCAL_SCALE_SLACK } from './local-scale.js';
export { rangeScores, RANGE_RECALL_ALPHA } from './range-metrics.js';
export { levelRelative, levelDrift, levelWindowFor, LEVEL_DRIFT_MIN, levelDeparture, levelAlarms, levelAlarmThreshold, levelQuantum, levelChannel, LEVEL_WINDOW_DEFAULT, LEVEL_PERSISTENCE, LEVEL_MARGIN, LEVEL_MIN_CALIBRATION, MIN_LEVEL_THRESHOLD, type LevelChannel } from './level.js';
export { nabScore, nabTotal, scaledSigmoid, probationPeriod, NAB_STANDARD, type NabScore } from './nab.js';
export { quantile, robustSpread } from './quantile.js';
export { pickThreshold, thresholdOf, flag, THRESHOLD_RULES, DEFAULT_RISK, DEFAULT_ROBUST_K, type ThresholdRule, type ThresholdOptions } from './threshold.js';
export { fitGpd, fitTail, gpdScaleAt, potThreshold, gpdLogLikelihood, gpdSurvival, MAX_SHAPE, type GpdFit, type PotThreshold } from './pot.js';
export { rollingZScore, hampelScore, channelScale, SPREAD_FLOOR } from './baseline.js';
export { benchmarkSeries, formatBenchmark, skippedRow, wins as benchmarkWins, FLAG_EVERYTHING, type BenchmarkRow } from './benchmark.js';
export type { Series, Segment } from './types.js';
export { seasonalProfile, deseasonalise, leaveOneOutResiduals, type SeasonalProfile } from './seasonal.js';
export { autocorrelation, detectPeriod, foldResidual, withoutLevel, calendarPeriods, SEASONAL_MIN_ACF, MIN_CYCLES, MAX_PERIOD, PEAK_FRACTION, type Period, type Fold } from './period.js';
export { modelToJson, modelFromJson, type CellSource } from './model-file.js';
export { flaggedCsv, detectionSummary, epochSummary, formatEpochs, formatMetrics, formatSeasonal, formatLevel } from './report.js';
export { detectRunLines, detectRunInfo, type DetectRun, type DetectSettings } from './run-report.js';
