// While a startup snapshot is made, Node leaves WebAssembly out; the process restored from the
// snapshot has it. The engine's WebAssembly users (Adam's kernel, the relaxed SIMD probe, the
// shared product arena) answer "none" then and must not remember it: fresh module instances
// are first called with WebAssembly removed, then with it back.
import { afterEach, describe, expect, it, vi } from 'vitest';

const saved = globalThis.WebAssembly;
afterEach(() => {
  globalThis.WebAssembly = saved;
});

/** Fresh instances of the modules (their caches empty), as a snapshot's build loads them. */
async function fresh() {
  vi.resetModules();
  const optim = await import('../../src/engine/optim-wasm.js');
  const relaxed = await import('../../src/engine/relaxed-simd.js');
  const wasm = await import('../../src/engine/wasm.js');
  return { optim, relaxed, wasm };
}

describe('the engine without WebAssembly, then with it', () => {
  it('wasmAdam, relaxedSimd and sharedArena are null/false while it is missing and work once it is back', async () => {
    const { optim, relaxed, wasm } = await fresh();
    // @ts-expect-error: removed as Node does while building a snapshot
    delete globalThis.WebAssembly;
    expect(optim.wasmAdam([6])).toBeNull();
    expect(relaxed.relaxedSimd()).toBe(false);
    expect(wasm.sharedArena()).toBeNull();
    globalThis.WebAssembly = saved;
    const adam = optim.wasmAdam([6]);
    expect(adam).not.toBeNull();
    expect(relaxed.relaxedSimd()).toBe(true);
    expect(wasm.sharedArena()).not.toBeNull();
    // One Adam step from zero moments: w − lr·g/(|g| + eps), here 1 − 0.1·2/(2 + 1e-8) in float32.
    const w = new Float32Array(6).fill(1);
    const g = new Float32Array(6).fill(2);
    adam!.update(0, w, g, 1 - 0.9, 1 - 0.999, 0.1, 0.9, 0.999, 1e-8);
    expect(Array.from(w)).toEqual(new Array(6).fill(Math.fround(1 - (0.1 * (0.2 / 0.1)) / (Math.sqrt(0.004 / 0.001) + 1e-8))));
  });
});
