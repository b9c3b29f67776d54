/**
 * elkjs's engine on this thread, for a process started from gateflow's startup snapshot
 * (src/cli/snapshot-entry.ts): there the engine is already loaded and its classes initialised
 * by a warm-up layout, in the heap the snapshot restores, so a layout costs about what a warm
 * one does; a worker thread would load and warm it up afresh (~0.5 s of CPU). Its layouts are
 * the same: one engine, one deterministic algorithm (the options fix its random seed).
 */
import type { ElkNode } from 'elkjs/lib/elk-api.js';
// Static, so that the snapshot's bundle holds the engine (types in elk-worker.d.ts beside this file).
import { Worker } from 'elkjs/lib/elk-worker.min.js';

/**
 * Load the engine (elk-worker.min.js, the code behind elk.bundled.js) with its message
 * protocol: {cmd, id} in, {id, data} or {id, error} out, answered from a timer.
 * Returns a layout function for useElkEngine (elk-thread.ts).
 */
export function loadElkInProcess(): (graph: ElkNode) => Promise<ElkNode> {
  const engine = new Worker();
  const pending = new Map<number, { resolve: (graph: ElkNode) => void; reject: (error: Error) => void }>();
  let next = 0;
  engine.onmessage = ({ data }) => {
    const waiting = pending.get(data.id);
    if (!waiting) return;
    pending.delete(data.id);
    if (data.error !== undefined) waiting.reject(new Error(`elkjs: ${String((data.error as Error)?.message ?? data.error)}`));
    else waiting.resolve(data.data!);
  };
  const send = (message: object): Promise<ElkNode> =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      engine.postMessage({ ...message, id });
    });
  send({ cmd: 'register', algorithms: ['layered'] }).catch(() => {});
  return (graph) => send({ cmd: 'layout', graph });
}
