/**
 * train/anomaly: a recurrent next-value predictor that flags the points it cannot predict.
 *
 * ```ts
 * const series = synthSeries({ seed: 1, kinds: ['flat'] });          // or io's readSeries('data.csv')
 * const result = detect(series, { cell: loadCell('rnn'), hidden: 32, window: 50, epochs: 20 });
 * result.rnn.metrics?.segments.f1;  result.baseline?.metrics?.points.f1;  result.history[0].gradNormMax;
 * ```
 */
export { detect, trainingHistory, errorScores, checkDrift, type DetectOptions, type Detection, type TrainedModel, type Regions, type MethodResult, type DriftCheck } from './detect.js';
export { createPredictor, restorePredictor, trainPredictor, predictWindows, windowLoss, predictionErrors, warmupOf, READOUT_WEIGHT, READOUT_BIAS, type Predictor, type TrainOptions, type EpochStats, type OptimizerName } from './model.js';
export { synthSeries, seriesToCsv, formatValue, ANOMALY_KINDS, type AnomalyKind, type SynthOptions, type SynthSeries, type InjectedAnomaly } from './synth.js';
export { evaluate, runsOf, scoresOf, type DetectionMetrics, type PointCounts, type SegmentCounts, type Scores } from './metrics.js';
export { quantile, pickThreshold, flag } from './threshold.js';
export { rollingZScore } from './baseline.js';
export { locate, type Series, type Segment } from './types.js';
export { modelToJson, modelFromJson, MODEL_FORMAT, type CellSource } from './model-file.js';
export { flaggedCsv, detectionSummary, epochSummary, stableJson, formatEpochs, formatMetrics } from './report.js';
