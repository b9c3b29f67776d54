/**
 * elkjs's engine on this thread, for a process started from gateflow's startup snapshot
 * (src/cli/snapshot-diagram.ts). gateflow.blob holds every shipped cell's layouts but not the
 * engine (about a quarter of the heap a restored process would read at every start, for a
 * figure that recalls its layout): a cell of the user's loads it here on its first layout,
 * from the code cache `npm run build` stores (elk-thread.ts, CACHE_FILE), which holds the
 * functions a layout compiles. Its layouts are the same: one engine, one deterministic
 * algorithm (the options fix its random seed).
 */
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import type { Worker as ElkWorker } from 'elkjs/lib/elk-worker.min.js';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { CACHE_FILE, ENGINE_WRAPPER } from './elk-thread.js';

/**
 * The engine (elk-worker.min.js, the code behind elk.bundled.js) compiled as the worker
 * thread compiles it (the same wrapper and file name, so V8 takes the same code cache).
 */
function loadEngine(): typeof ElkWorker {
  const require = createRequire(import.meta.url);
  const file = require.resolve('elkjs/lib/elk-worker.min.js');
  const cachedData = CACHE_FILE && existsSync(CACHE_FILE) ? readFileSync(CACHE_FILE) : undefined;
  const script = new vm.Script(ENGINE_WRAPPER[0] + readFileSync(file, 'utf8') + ENGINE_WRAPPER[1], { filename: file, cachedData });
  const module = { exports: {} as { Worker?: typeof ElkWorker } };
  (script.runInThisContext() as (e: object, r: NodeJS.Require, m: object) => void)(module.exports, require, module);
  return module.exports.Worker!;
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
  return (graph) => {
    if (engine === null) {
      engine = new (Engine ?? loadEngine())();
      engine.onmessage = ({ data }) => {
        const waiting = pending.get(data.id);
        if (!waiting) return;
        pending.delete(data.id);
        if (data.error !== undefined) waiting.reject(new Error(`elkjs: ${String((data.error as Error)?.message ?? data.error)}`));
        else waiting.resolve(data.data!);
      };
      send({ cmd: 'register', algorithms: ['layered'] }).catch(() => {});
    }
    return send({ cmd: 'layout', graph });
  };
}
