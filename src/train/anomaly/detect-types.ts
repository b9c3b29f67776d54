/**
 * train/anomaly: what detect() is asked (DetectOptions) and what it returns (Detection, with the
 * TrainedModel a model file holds). The pipeline itself is in detect.ts.
 */
import type { CellGraph } from '../../cell/index.js';
import type { DetectionMetrics } from './metrics.js';
import type { EpochStats, OptimizerName, Predictor } from './model.js';
import type { LevelChannel } from './level.js';
import type { NabScore } from './nab.js';
import type { DriftCheck } from './prepare.js';
import type { ThresholdOptions } from './threshold.js';
import type { SeasonalProfile } from './seasonal.js';
import type { Series } from './types.js';

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
   * (level.ts; 0 = the values themselves), so a wandering level does not take its input out of
   * the fit part's range. Default: LEVEL_WINDOW_DEFAULT where the fit part's level drifts
   * (levelWindowFor), 0 where it does not; with `levelAlarm`, LEVEL_WINDOW_DEFAULT.
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
  /** The fit part's level drift, when it chose the level window (no window given nor saved; level.ts, levelWindowFor). */
  readonly levelDrift?: number;
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
