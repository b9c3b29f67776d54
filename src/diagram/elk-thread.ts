/**
 * elkjs on a worker thread. Loading elkjs (a 1.6 MB GWT build) and its first layout
 * (lazy compilation of the layered algorithm) cost about 0.2 s of one core; on a thread
 * started as soon as a diagram is wanted, that overlaps with parsing the cell and
 * typesetting the labels on the main thread. The thread runs elkjs's own worker engine
 * (elk-worker.min.js, the code behind elk.bundled.js) with its message protocol.
 *
 * `npm run build` also stores V8's compiled code for that engine, as it is after the shipped
 * cells' layouts, in dist/diagram/elk-worker.NODE-VERSION.cache (writeElkCache): the thread
 * then skips compiling 1.6 MB of JavaScript and most of the first layout's lazy compilation
 * (~60 ms). An installed package ships no cache: its first layout under a Node version stores one.
 */
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { NODE_OPTIONS, ROOT_OPTIONS, stepOptions } from './elk-options.js';

// Inline (eval) so that it runs the same from src/ under vitest and from dist/. The engine
// is loaded as require() would (a CommonJS wrapper) but through vm.Script, which takes and
// makes V8 code caches. elkjs's FakeWorker takes {cmd, id} messages and answers {id, data}
// or {id, error}; errors are GWT objects, so only their message crosses the thread boundary.
// One command of our own, saveCache, writes the code cache.
const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');
const vm = require('node:vm');
const source = readFileSync(workerData.engine, 'utf8');
const cachedData = workerData.cache && existsSync(workerData.cache) ? readFileSync(workerData.cache) : undefined;
const script = new vm.Script(workerData.wrapper[0] + source + workerData.wrapper[1], { filename: workerData.engine, cachedData });
const module = { exports: {} };
script.runInThisContext()(module.exports, require, module);
const engine = new module.exports.Worker();
if (workerData.cache && (cachedData === undefined || script.cachedDataRejected)) parentPort.postMessage({ id: -1, needsCache: true });
engine.onmessage = ({ data }) =>
  parentPort.postMessage(data.error === undefined ? data : { id: data.id, error: String(data.error && data.error.message || data.error) });
parentPort.on('message', (message) => {
  if (message.cmd !== 'saveCache') return engine.postMessage(message);
  const temp = workerData.cache + '.' + process.pid + '.tmp';
  try {
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, workerData.cache);
  } catch {
    try { unlinkSync(temp); } catch {}
  }
  parentPort.postMessage({ id: message.id });
});
`;

/** The engine's code cache for this Node, beside the built module; none when run from src/ (tests). */
const HERE = dirname(fileURLToPath(import.meta.url));
/**
 * The CommonJS wrapper the engine's source is compiled in, by the thread and in-process alike:
 * V8 takes a code cache only for the very same source text, so both must wrap it the same.
 */
export const ENGINE_WRAPPER = ['(function (exports, require, module) {', '\n})'] as const;

export const CACHE_FILE = basename(dirname(HERE)) === 'dist' ? join(HERE, `elk-worker.${process.version}.cache`) : '';

interface Thread {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (graph: ElkNode) => void; reject: (error: Error) => void }>;
  next: number;
  /** The thread found no code cache for this Node: store one after the first layout. */
  needsCache: boolean;
}

let thread: Thread | null = null;
/** A layout engine on this thread instead (useElkEngine), in a process started from the snapshot. */
let inProcess: ((graph: ElkNode) => Promise<ElkNode>) | null = null;

/** Lay out on this thread with `layout` (elk-in-process.ts) from now on, and start no worker. */
export function useElkEngine(layout: (graph: ElkNode) => Promise<ElkNode>): void {
  inProcess = layout;
}

function send(t: Thread, message: object): Promise<ElkNode> {
  const id = t.next++;
  return new Promise((resolve, reject) => {
    t.pending.set(id, { resolve, reject });
    // Keep the process alive only while an answer is awaited.
    t.worker.ref();
    t.worker.postMessage({ ...message, id });
  });
}

/**
 * Start the thread (once): it loads the engine while the caller goes on. Cheap to call:
 * the caller does not wait for anything. No warm-up layout here: with the code cache the
 * first real layout is about as fast, and a warm-up costs CPU a loaded machine lacks.
 */
export function startElk(): void {
  if (thread || inProcess) return;
  const engine = createRequire(import.meta.url).resolve('elkjs/lib/elk-worker.min.js');
  // The thread code is CommonJS: drop a parent's --input-type=module (node -e scripts), which
  // a worker inherits and which would make its eval'd code an ES module without require; and
  // --snapshot-blob FILE (a Node restored from a startup snapshot), which a thread refuses.
  // And the options the blob was made with (snapshot-launch.ts, SNAPSHOT_FLAGS), V8's own.
  const execArgv = process.execArgv.filter((a, i, all) => !a.startsWith('--input-type') && !a.startsWith('--snapshot-blob') && all[i - 1] !== '--snapshot-blob' && a !== '--no-rehash-snapshot');
  // Required here, not imported: node:worker_threads loaded while the startup snapshot is made
  // leaves its threads unable to start in the restored process (they die in process.cwd()).
  const { Worker: ThreadWorker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  const worker = new ThreadWorker(THREAD_CODE, { eval: true, execArgv, workerData: { engine, cache: CACHE_FILE, wrapper: ENGINE_WRAPPER } });
  const t: Thread = { worker, pending: new Map(), next: 0, needsCache: false };
  thread = t;
  worker.unref();
  worker.on('message', (answer: { id: number; data?: ElkNode; error?: string; needsCache?: boolean }) => {
    if (answer.needsCache) t.needsCache = true;
    const waiting = t.pending.get(answer.id);
    if (!waiting) return;
    t.pending.delete(answer.id);
    if (t.pending.size === 0) worker.unref();
    if (answer.error !== undefined) waiting.reject(new Error(`elkjs: ${answer.error}`));
    else waiting.resolve(answer.data!);
  });
  worker.on('error', (error) => {
    thread = null;
    for (const waiting of t.pending.values()) waiting.reject(error);
    t.pending.clear();
  });
  // Not awaited (a failed thread also fails the layouts, which report it); the first
  // layout queues behind it.
  send(t, { cmd: 'register', algorithms: ['layered'] }).catch(() => {});
  worker.unref();
}

/**
 * Layouts already made in this process, by their input (elkjs is deterministic: the options
 * fix its random seed), least recently used first. One step's layout serves every figure of
 * that cell and detail whatever its step count, theme, title or key, and it was most of a warm
 * figure's time. Kept as JSON, so no caller can change a stored layout.
 */
const layouts = new Map<string, string>();
const LAYOUTS_KEPT = 256;

/** Lay out `graph` (elkjs JSON) on the thread, or recall the same graph's layout; resolves with the laid-out copy. */
export async function elkLayout(graph: ElkNode): Promise<ElkNode> {
  const key = JSON.stringify(graph);
  const known = layouts.get(key);
  if (known !== undefined) {
    layouts.delete(key);
    layouts.set(key, known);
    return JSON.parse(known) as ElkNode;
  }
  const placed = inProcess ? await inProcess(graph) : await layOutOnThread(graph);
  layouts.set(key, JSON.stringify(placed));
  if (layouts.size > LAYOUTS_KEPT) layouts.delete(layouts.keys().next().value!);
  return placed;
}

async function layOutOnThread(graph: ElkNode): Promise<ElkNode> {
  startElk();
  const t = thread!;
  const placed = await send(t, { cmd: 'layout', graph });
  if (t.needsCache) {
    // Once per Node version (an installed package's first diagram): the process waits ~0.1 s for it.
    t.needsCache = false;
    await send(t, { cmd: 'saveCache' });
  }
  return placed;
}

/** The layouts made so far, as [graph, layout] JSON pairs (for recallLayouts in another process). */
export function knownLayouts(): [string, string][] {
  return [...layouts];
}

/** Recall these layouts (knownLayouts of another process) as if made here, and only these with `only`. */
export function recallLayouts(pairs: readonly (readonly [string, string])[], only = false): void {
  if (only) layouts.clear();
  for (const [graph, layout] of pairs) layouts.set(graph, layout);
}

/** Forget the layouts made so far (benchmarks measure a figure's first layout with it). */
export function forgetLayouts(): void {
  layouts.clear();
}

/**
 * Build step (src/build/bundle.mjs, after it has drawn every shipped cell on this thread): after
 * a warm-up layout with the figures' options, store the engine's compiled code (the functions
 * the layouts so far compiled included) for later
 * processes, then stop the thread.
 */
export async function writeElkCache(): Promise<string> {
  startElk();
  await send(thread!, { cmd: 'layout', graph: warmUpGraph() });
  await send(thread!, { cmd: 'saveCache' });
  await thread!.worker.terminate();
  thread = null;
  return CACHE_FILE;
}

/** A step with a few ported nodes and wires, laid out with the figures' own options. */
function warmUpGraph(): ElkNode {
  const node = (id: string): ElkNode => ({
    id,
    width: 40,
    height: 30,
    layoutOptions: NODE_OPTIONS,
    ports: [
      { id: `${id}:out`, x: 40, y: 15, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'EAST' } },
      { id: `${id}:in`, x: 0, y: 15, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'WEST' } },
      { id: `${id}:below`, x: 20, y: 30, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'SOUTH' } },
    ],
  });
  const port = (id: string, side: string, index: number) => ({ id, width: 0, height: 0, layoutOptions: { 'elk.port.side': side, 'elk.port.index': String(index) } });
  const edge = (id: string, source: string, target: string) => ({ id, sources: [source], targets: [target] });
  return {
    id: 'root',
    layoutOptions: ROOT_OPTIONS,
    children: [
      {
        id: 'step',
        layoutOptions: stepOptions({ top: 20, left: 20, bottom: 20, right: 20 }, 30),
        ports: [port('h-out', 'EAST', 0), port('x', 'SOUTH', 1), port('h-in', 'WEST', 2)],
        children: [node('a'), node('b'), node('c')],
        edges: [edge('e0', 'h-in', 'a:in'), edge('e1', 'x', 'a:below'), edge('e2', 'x', 'b:below'), edge('e3', 'a:out', 'c:in'), edge('e4', 'b:out', 'c:below'), edge('e5', 'c:out', 'h-out'), edge('e6', 'h-in', 'b:in')],
      },
    ],
  };
}
