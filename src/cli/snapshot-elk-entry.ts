/**
 * The script of gateflow-elk.blob (bundled by src/build/snapshot.mjs and run under `node
 * --build-snapshot`): the diagram snapshot with elkjs's engine in its heap, warmed up, for a
 * diagram of a .cell file of the user's (snapshot-launch.ts, snapshotFor).
 */
import { BundledElkEngine } from '../diagram/elk-bundled.js';
import { makeDiagramSnapshot } from './snapshot-diagram.js';

makeDiagramSnapshot(BundledElkEngine);
