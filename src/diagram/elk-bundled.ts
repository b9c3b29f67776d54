/**
 * elkjs's engine as a static import, so that a bundle holds it: for the startup snapshot that
 * keeps elkjs in its heap, warmed up (src/cli/snapshot-elk-entry.ts), which serves the cells of
 * the user's. Nothing else imports this (the other snapshot loads the engine when it needs it).
 */
export { Worker as BundledElkEngine } from 'elkjs/lib/elk-worker.min.js';
