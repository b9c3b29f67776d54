/**
 * The script of gateflow.blob (bundled by src/build/snapshot.mjs and run under `node
 * --build-snapshot`): the diagram snapshot without elkjs (snapshot-diagram.ts says why).
 */
import { makeDiagramSnapshot } from './snapshot-diagram.js';

makeDiagramSnapshot();
