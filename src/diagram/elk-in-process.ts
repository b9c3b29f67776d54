/**
 * elkjs's engine on this thread, for a process started from gateflow's startup snapshot
 * (src/cli/snapshot-diagram.ts). gateflow.blob holds every shipped cell's layouts but not the
 * engine (about a quarter of the heap a restored process would read at every start, for a
 * figure that recalls its layout): a cell of the user's loads it here on its first layout,
 * from a code cache, which holds the functions a layout compiles. Its layouts are the same:
 * one engine, one deterministic algorithm (the options fix its random seed).
 */
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import type { Worker as ElkWorker } from 'elkjs/lib/elk-worker.min.js';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { CACHE_FILE, ENGINE_WRAPPER } from './elk-thread.js';

/**
 * The code cache for this process: V8 takes a cache only when made under the same V8 flags, and
 * a restored gateflow.blob runs with --no-rehash-snapshot (snapshot-launch.ts), which the
 * build's CACHE_FILE (made by the thread, without it) is not; so such a process keeps its own,
 * beside it.
 */
function cacheFileHere(): string {
  if (!CACHE_FILE || !process.execArgv.includes('--no-rehash-snapshot')) return CACHE_FILE;
  return CACHE_FILE.replace(/\.cache$/, '.no-rehash-snapshot.cache');
}

/**
 * The engine (elk-worker.min.js, the code behind elk.bundled.js) compiled as the worker
 * thread compiles it (the same wrapper and file name, so V8 takes the same code cache), and
 * a function that stores its compiled code when there was no cache it could take (call it
 * after a layout, so that the cache holds the functions a layout compiles).
 */
function loadEngine(): { Engine: typeof ElkWorker; saveCache?: () => void } {
  const require = createRequire(import.meta.url);
  const file = require.resolve('elkjs/lib/elk-worker.min.js');
  const cacheFile = cacheFileHere();
  const cachedData = cacheFile && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  const script = new vm.Script(ENGINE_WRAPPER[0] + readFileSync(file, 'utf8') + ENGINE_WRAPPER[1], { filename: file, cachedData });
  const module = { exports: {} as { Worker?: typeof ElkWorker } };
  (script.runInThisContext() as (e: object, r: NodeJS.Require, m: object) => void)(module.exports, require, module);
  // As the thread's saveCache: a folder it cannot write to (an installed package) only costs speed.
  const saveCache = () => {
    const temp = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, script.createCachedData());
      renameSync(temp, cacheFile);
    } catch {
      rmSync(temp, { force: true });
    }
  };
  return { Engine: module.exports.Worker!, saveCache: cacheFile && (cachedData === undefined || script.cachedDataRejected) ? saveCache : undefined };
}

/**
 * A layout function for useElkEngine (elk-thread.ts): elkjs's message protocol ({cmd, id} in,
 * {id, data} or {id, error} out, answered from a timer), with `Engine` (elk-bundled.ts, in a
 * snapshot that holds elkjs) or the engine loaded here on the first call.
 */
export function loadElkInProcess(Engine?: typeof ElkWorker): (graph: ElkNode) => Promise<ElkNode> {
  const pending = new Map<number, { resolve: (graph: ElkNode) => void; reject: (error: Error) => void }>();
  let next = 0;
  let engine: ElkWorker | null = null;
  const send = (message: object): Promise<ElkNode> =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      engine!.postMessage({ ...message, id });
    });
  let saveCache: (() => void) | undefined;
  return (graph) => {
    if (engine === null) {
      const loaded = Engine ? { Engine } : loadEngine();
      saveCache = loaded.saveCache;
      engine = new loaded.Engine();
      engine.onmessage = ({ data }) => {
        const waiting = pending.get(data.id);
        if (!waiting) return;
        pending.delete(data.id);
        if (data.error !== undefined) waiting.reject(new Error(`elkjs: ${String((data.error as Error)?.message ?? data.error)}`));
        else waiting.resolve(data.data!);
      };
      send({ cmd: 'register', algorithms: ['layered'] }).catch(() => {});
    }
    const placed = send({ cmd: 'layout', graph });
    if (!saveCache) return placed;
    const save = saveCache;
    saveCache = undefined;
    // Once per install (the first layout of a figure the snapshot does not hold), as the thread does.
    return placed.then((layout) => (save(), layout));
  };
}
