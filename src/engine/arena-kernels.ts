// Small kernel modules that import an arena's memory (env.memory) and are instantiated once per
// arena. A shared arena or a runtime that rejects the bytes gets null: the caller keeps its
// JavaScript path.
import type { WasmArena } from './wasm.js';

/** A lookup of `pick(exports)` on each arena's own instance of the module, made on first use. */
export function kernelsOnArena<T>(moduleBytes: () => Uint8Array<ArrayBuffer>, pick: (exports: WebAssembly.Exports) => T): (arena: WasmArena) => T | null {
  const instances = new WeakMap<WasmArena, T | null>();
  return (arena) => {
    if (!instances.has(arena)) {
      const bytes = moduleBytes();
      const usable = !arena.shared && WebAssembly.validate(bytes);
      instances.set(arena, usable ? pick(new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: arena.memory } }).exports) : null);
    }
    return instances.get(arena) ?? null;
  };
}
