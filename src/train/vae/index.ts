/**
 * The VAE trainer: an MLP VAE on the engine (reparameterization, beta), the beta sweep with a
 * disentanglement score on synthetic shapes, a label-free imbalance measure in latent space,
 * and the score-function vs reparameterized gradient variance. Pure: datasets come in as typed
 * arrays (io reads them), results go out as plain data (cli plots and writes them).
 */

// Data
/** Rows of values (row-major) with optional labels; the seeded split; the MNIST split's constants. */
export { splitDataset, selectRows, labelCounts, entropy, MNIST_SPLIT_SEED, MNIST_TEST_COUNT, type Dataset, type Split } from './data.js';
/** Squares on a black background with known x, y and scale factors (for MIG). */
export { makeShapes, type ShapesDataset, type ShapesOptions } from './shapes-dataset.js';

// Model and training
/** Model construction, the negative-ELBO pieces on a tape, and JSON (de)serialisation. */
export { createVae, batchLoss, reparameterize, toJsonModel, fromJsonModel, type Vae, type VaeConfig, type Likelihood } from './model.js';
/** Training with per-epoch train/test losses, evaluation, and inference helpers for the figures. */
export {
  trainVae,
  continueTraining,
  evaluate,
  encodeMeans,
  decodeLatents,
  reconstruct,
  samplePrior,
  manifold,
  normalQuantile,
  TRAIN_DEFAULTS,
  type TrainOptions,
  type TrainResult,
  type EpochRow,
  type BatchProgress,
  type Evaluation,
} from './train.js';

// Measurements
/** Mutual Information Gap (Chen et al. 2018) and active latent dimensions (Burda et al. 2016). */
export { mig, activeDimensions, latentVariances, type MigResult } from './mig.js';
/** kNN density estimate. */
export { knnLogDensity, nearestNeighbours, type Neighbours } from './knn.js';
/** The label-free imbalance score and MNIST subsets with known imbalance. */
export { imbalanceScore, flatteningDivergence, imbalancedCounts, imbalancedSubset, type ImbalanceScore, type ImbalanceProfile } from './imbalance.js';
export { imbalanceSweep, measureImbalance, IMBALANCE_DEFAULTS, type ImbalanceSweepOptions, type ImbalanceSweepResult, type ImbalanceRun, type Correlations } from './imbalance-sweep.js';
/** The beta sweep on shapes: reconstruction, KL, active dimensions and MIG per beta. */
export { betaSweep, SWEEP_DEFAULTS, type SweepOptions, type SweepResult, type SweepRow } from './sweep.js';
/** Score-function vs reparameterized gradient variance, measured and in closed form. */
export { gradvar, gradientVariances, type GradvarOptions, type GradvarResult, type GradvarRow } from './gradvar.js';
/** Spearman rank correlation. */
export { spearman } from './stats.js';
/** A 2-D projection of latent codes (top two principal components). */
export { projectTo2d } from './pca.js';

// Reports
/** CSV, terminal tables and sorted-key JSON for every result. */
export { historyCsv, sweepCsv, sweepTable, imbalanceSweepCsv, imbalanceSweepTable, gradvarCsv, gradvarTable, formatTable } from './report.js';
