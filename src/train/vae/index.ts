/**
 * The VAE trainer: an MLP VAE on the engine (reparameterization, beta), the beta sweep with a
 * disentanglement score on synthetic shapes, a label-free imbalance measure in latent space,
 * and the score-function vs reparameterized gradient variance. Pure: datasets come in as typed
 * arrays (io reads them), results go out as plain data (cli plots and writes them).
 */

// Data
/** Rows of values (row-major) with optional labels; the seeded split; the MNIST split's constants. */
export { splitDataset, selectRows, labelCounts, entropy, MNIST_SPLIT_SEED, MNIST_TEST_COUNT, type Dataset, type Split } from './data.js';
/** Squares on a black background with known x, y and scale factors (a small, fast dataset; the sweep uses the sprites). */
export { makeShapes, type ShapesDataset, type ShapesOptions } from './shapes-dataset.js';
/** dSprites-like sprites (shape, scale, orientation, x, y on dSprites's grids), 64×64 or 32×32, with their factors. */
export { makeSprites, renderSprite, SPRITE_GRIDS, SPRITE_FACTORS, SPRITE_SHAPES, type SpritesDataset, type SpritesOptions } from './sprites.js';

// Model and training
/** Model construction, the negative-ELBO pieces on a tape, and JSON (de)serialisation. */
export { createVae, batchLoss, reparameterize, toJsonModel, fromJsonModel, type Vae, type VaeConfig, type Likelihood, type Objective, type Arch } from './model.js';
/** Chen et al.'s minibatch-weighted-sampling total correlation, with its gradient. */
export { totalCorrelation, type TotalCorrelation } from './total-correlation.js';
/** Training with per-epoch train/test losses, evaluation, and inference helpers for the figures. */
export {
  trainVae,
  continueTraining,
  evaluate,
  encodeMeans,
  encodePosteriors,
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
/** MIG as Chen et al. 2018 estimate it: sampled codes, aggregate-posterior entropies. */
export { migSampled, type Posteriors, type SampledMigOptions } from './mig-sampled.js';
/** kNN density estimate. */
export { knnLogDensity, nearestNeighbours, type Neighbours } from './knn.js';
/** The label-free imbalance score and MNIST subsets with known imbalance. */
export { imbalanceScore, flatteningDivergence, imbalancedCounts, imbalancedSubset, imbalancedSubsetRows, measureImbalance, type ImbalanceScore, type ImbalanceProfile } from './imbalance.js';
/** Label-free imbalance estimators (cluster masses, kNN density spread) in a VAE latent, PCA and pixel space, against the truth. */
export {
  imbalanceSweep,
  IMBALANCE_DEFAULTS,
  type ImbalanceSweepOptions,
  type ImbalanceSweepResult,
  type ImbalanceRun,
  type EstimatorSummary,
  type Space,
  type Method,
} from './imbalance-sweep.js';
/** k-means and diagonal Gaussian mixtures with k chosen by BIC; mass ratio and entropy deficit. */
export { kMeans, kMeansByBic, mixtureByBic, massRatio, entropyDeficit, type Clustering, type DiagonalMixture } from './clustering.js';
/** Imbalance against an unlabelled reference pool: the kNN divergence (Wang et al. 2009) and a pool mixture's re-estimated proportions. */
export { knnDivergence, fitReferenceMixture, mixtureProportions, proportionEstimate, type ProportionEstimate } from './label-shift.js';
/** The beta sweep on sprites: reconstruction, KL, active dimensions and both MIGs per objective and beta; latent traversals. */
export { betaSweep, latentTraversal, normalisedBeta, SWEEP_DEFAULTS, type Checkpoint, type SweepRun, type SweepOptions, type SweepResult, type SweepRow, type Traversal } from './sweep.js';
/** Score-function vs reparameterized gradient variance, measured and in closed form. */
export { gradvar, gradientVariances, type GradvarOptions, type GradvarResult, type GradvarRow } from './gradvar.js';
/** Spearman rank correlation. */
export { spearman } from './stats.js';
/** A 2-D projection of latent codes (top two principal components). */
export { projectTo2d, fitPca, projectPca, type PcaBasis } from './pca.js';

// Reports
/** CSV, terminal tables and sorted-key JSON for every result. */
export { historyCsv, trainSummary, sweepCsv, sweepTable, imbalanceSweepCsv, imbalanceSweepTable, imbalanceSummary, bestEstimator, gradvarCsv, gradvarTable, formatTable } from './report.js';
/** The figures' data, for the CLI to hand to plot: image-grid cells, curve panels, latent scatter points, the imbalance sweep's bars. */
export { imageSide, rowViews, reconstructionCells, trainCurvePanels, latentPoints, imbalanceSweepBars, imbalanceSweepIntro, type CurvePanel } from './report.js';
export { parseIdx } from './idx.js';
