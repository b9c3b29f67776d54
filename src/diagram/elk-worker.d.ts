/** elkjs's engine file (elk-in-process.ts loads it): a FakeWorker with elkjs's message protocol. */
declare module 'elkjs/lib/elk-worker.min.js' {
  import type { ElkNode } from 'elkjs/lib/elk-api.js';
  export class Worker {
    onmessage: (event: { data: { id: number; data?: ElkNode; error?: unknown } }) => void;
    postMessage(message: object): void;
  }
}
