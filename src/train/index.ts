/**
 * The two trainers of the course material, built on the engine: a VAE (`vae`) and a
 * vanilla-RNN anomaly detector for time series (`anomaly`). They return plain data
 * (series, metrics, images as arrays); the CLI hands those to plot/ and io/.
 */
export * as vae from './vae/index.js';
export * as anomaly from './anomaly/index.js';
