/**
 * The HDF5 reader's thread: h5wasm decodes a file there, so that a file on which the HDF5
 * library never returns (a corrupt string attribute can do that) is stopped after a time
 * limit instead of hanging the process. The thread is kept between files and replaced after
 * a file it could not finish; it keeps the process alive only while an answer is awaited.
 */
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { packageFileUrl } from './fs.js';

export type ThreadAnswer = { datasets: [string, number[], Float64Array, string][]; attributes: Record<string, string> } | { error: string };

/**
 * The worker's code (CommonJS, evaluated, so it runs the same from src/ and dist/): errors as
 * exceptions, the walk over groups, each dataset's claimed size checked against the file before
 * it is read, and only the two attributes Keras's loader reads.
 */
const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const loaded = import(workerData.h5wasm).then(async (h5) => {
  const module = await h5.ready;
  module.activate_throwing_error_handler();
  return { h5, fs: module.FS };
});
class Refused extends Error {}
function reason(error) {
  const text = String(error && error.message !== undefined ? error.message : error);
  const minors = [...text.matchAll(/minor: ([^\\n]+)/g)].map((m) => m[1].trim());
  return (minors.length ? minors[minors.length - 1] : text.split('\\n')[0]).toLowerCase();
}
function readDataset(child, path, fileBytes) {
  const meta = child.metadata;
  if (meta.type !== 1 || (meta.size !== 4 && meta.size !== 8)) return undefined;
  const shape = (meta.shape || []).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || count * meta.size > fileBytes) {
    throw new Refused("dataset '" + path + "' claims shape [" + shape.join(', ') + '] of ' + meta.size * 8 + "-bit floats, more than the file's " + fileBytes + ' bytes hold');
  }
  const value = child.value;
  if (!(value instanceof Float32Array || value instanceof Float64Array) || value.length !== count) {
    throw new Refused("dataset '" + path + "' could not be read as [" + shape.join(', ') + '] floats');
  }
  return [path, shape, Float64Array.from(value), meta.size === 4 ? 'float32' : 'float64'];
}
function decode(h5, fs, bytes, maxObjects) {
  const name = '/read.h5';
  fs.writeFile(name, bytes);
  let handle;
  try {
    handle = new h5.File(name, 'r');
    if (!(Number(handle.file_id) > 0)) throw new Refused('not a readable HDF5 file');
    const datasets = [];
    let objects = 0;
    const walk = (group, prefix) => {
      for (const key of group.keys()) {
        if (++objects > maxObjects) throw new Refused('more than ' + maxObjects + ' HDF5 objects; not a weights file');
        const path = prefix ? prefix + '/' + key : key;
        const child = group.get(key);
        if (child instanceof h5.Group) walk(child, path);
        else if (child instanceof h5.Dataset) {
          const dataset = readDataset(child, path, bytes.length);
          if (dataset) datasets.push(dataset);
        }
      }
    };
    walk(handle, '');
    const attributes = {};
    const names = new Set(Object.keys(handle.attrs || {}));
    for (const key of ['model_config', 'keras_version']) {
      if (!names.has(key)) continue;
      const attribute = handle.attrs[key];
      if (attribute.metadata.type !== 3) continue;
      const value = attribute.value;
      if (typeof value === 'string') attributes[key] = value;
    }
    return { datasets, attributes };
  } catch (error) {
    return { error: error instanceof Refused ? error.message : 'not a readable HDF5 file (' + reason(error) + ')' };
  } finally {
    try { if (handle) handle.close(); } catch {}
    try { fs.unlink(name); } catch {}
  }
}
parentPort.on('message', async ({ id, bytes, maxObjects }) => {
  const { h5, fs } = await loaded;
  if (bytes === undefined) return parentPort.postMessage({ id, answer: { datasets: [], attributes: {} } });
  const answer = decode(h5, fs, bytes, maxObjects);
  parentPort.postMessage({ id, answer }, 'datasets' in answer ? answer.datasets.map((d) => d[2].buffer) : []);
});
`;

interface Thread {
  readonly worker: Worker;
  readonly pending: Map<number, (answer: ThreadAnswer) => void>;
  next: number;
  ready: Promise<ThreadAnswer>;
}
let thread: Thread | undefined;

function startThread(): Thread {
  const h5wasm = typeof import.meta.resolve === 'function' ? import.meta.resolve('h5wasm') : packageFileUrl('h5wasm', 'dist/esm/hdf5_hl.js');
  // No inherited flags: the code is CommonJS (not --input-type=module), and a heap size is not a thread's option.
  // Required here, not imported: node:worker_threads loaded while the startup snapshot is made
  // leaves its threads unable to start in the restored process (they die in process.cwd()).
  const { Worker: ThreadWorker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  const worker = new ThreadWorker(THREAD_CODE, { eval: true, execArgv: [], workerData: { h5wasm } });
  const t: Thread = { worker, pending: new Map(), next: 0, ready: Promise.resolve({ error: '' }) };
  worker.unref();
  worker.on('message', (message: { id: number; answer: ThreadAnswer }) => {
    const done = t.pending.get(message.id);
    t.pending.delete(message.id);
    if (t.pending.size === 0) worker.unref();
    done?.(message.answer);
  });
  worker.on('error', (error) => {
    if (thread === t) thread = undefined;
    for (const done of t.pending.values()) done({ error: `not a readable HDF5 file (${error.message})` });
    t.pending.clear();
  });
  // An empty message: answered once h5wasm is loaded, so the time limit counts decoding only.
  t.ready = send(t, undefined, 0);
  return t;
}

function send(t: Thread, bytes: Uint8Array | undefined, maxObjects: number): Promise<ThreadAnswer> {
  const id = t.next++;
  return new Promise((resolve) => {
    t.pending.set(id, resolve);
    t.worker.ref();
    t.worker.postMessage({ id, bytes, maxObjects });
  });
}

/** The thread's answer, or 'timeout' after `limitMs`, when the thread is stopped (the next file gets a new one). */
export async function decodeOnThread(bytes: Uint8Array, limitMs: number, maxObjects: number): Promise<ThreadAnswer | 'timeout'> {
  thread ??= startThread();
  const t = thread;
  await t.ready;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), limitMs);
  });
  const answer = await Promise.race([send(t, bytes, maxObjects), timeout]);
  clearTimeout(timer);
  if (answer === 'timeout') {
    if (thread === t) thread = undefined;
    t.pending.clear();
    await t.worker.terminate();
  }
  return answer;
}
