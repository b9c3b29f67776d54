/**
 * train/anomaly: a recurrent next-value predictor (any one-input cell: rnn, gru, lstm, a .cell
 * file) trained with BPTT on the engine, that flags the points it cannot predict, next to a
 * rolling z-score baseline; plus a seeded benchmark generator and the metrics to compare them.
 *
 * ```ts
 * // anomaly = this module (the library exports it as the train stage's `anomaly` namespace)
 * const series = anomaly.synthSeries({ seed: 1, kinds: ['flat'] }); // or io's readSeries('data.csv')
 * const result = anomaly.detect(series, { cell: loadCell('rnn'), hidden: 32, window: 50, epochs: 20, warn: console.warn });
 * result.rnn.metrics?.segments.f1;       // F1 per anomalous segment (points: result.rnn.metrics.points)
 * result.baseline?.metrics?.points.f1;   // the rolling z-score on the same held-out threshold rule
 * result.history[0].gradNormMax;         // gradient norm before clipping, per epoch
 * anomaly.flaggedCsv(series, result);    // text to write; anomaly.modelToJson(result.model, cellSource) to save
 * ```
 * detect() returns plain arrays (scores, flags, per-epoch figures); plot's detectionChart and
 * trainingChart draw them.
 */
export { detect, trainingHistory, type DetectOptions, type Detection, type TrainedModel, type Regions, type MethodResult, type DriftCheck } from './detect.js';
export { createPredictor, trainPredictor, windowLoss, predictionErrors, type Predictor, type TrainOptions, type EpochStats, type OptimizerName } from './model.js';
export { synthSeries, seriesToCsv, ANOMALY_KINDS, type AnomalyKind, type SynthOptions, type SynthSeries, type InjectedAnomaly } from './synth.js';
export { evaluate, runsOf, type DetectionMetrics, type PointCounts, type SegmentCounts, type Scores } from './metrics.js';
export { quantile, pickThreshold, flag } from './threshold.js';
export { rollingZScore } from './baseline.js';
export type { Series, Segment } from './types.js';
export { modelToJson, modelFromJson, type CellSource } from './model-file.js';
export { flaggedCsv, detectionSummary, epochSummary, formatEpochs, formatMetrics } from './report.js';
