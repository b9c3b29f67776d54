/**
 * Engine stage: the right operand of a product in the WebAssembly kernel's layout (wasm-gemm.ts):
 * column strips of 128 bytes (32 float32 or 16 float64 columns), each K rows deep and stored
 * contiguously, one after another. Columns past N are zero, so a padded product is still right.
 */
import type { DType } from './tensor.js';
import { PANEL_BYTES } from './wasm-gemm.js';

/** Columns in one panel. */
export const PANEL_COLUMNS: Record<DType, number> = { float32: PANEL_BYTES / 4, float64: PANEL_BYTES / 8 };

/** N rounded up to whole panels: the row length of a product's output on the kernel. */
export function paddedColumns(N: number, dtype: DType): number {
  const pc = PANEL_COLUMNS[dtype];
  return Math.ceil(N / pc) * pc;
}
