/**
 * Golden files: compared byte for byte. Run with GATEFLOW_UPDATE_GOLDEN=1 to
 * rewrite them, then review the diff (git diff, or open the SVGs). A mismatch
 * leaves the new output beside the golden as NAME-changed.EXT (gitignored).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');
export const UPDATE = process.env.GATEFLOW_UPDATE_GOLDEN === '1';

export function expectGolden(relativePath: string, actual: string): void {
  const path = join(GOLDEN_DIR, relativePath);
  const changed = path.replace(/(\.[^./]+)$/, '-changed$1');
  if (UPDATE || !existsSync(path)) {
    if (!UPDATE) throw new Error(`no golden file ${relativePath}; run with GATEFLOW_UPDATE_GOLDEN=1 to create it`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    rmSync(changed, { force: true });
    return;
  }
  const expected = readFileSync(path, 'utf8');
  if (expected !== actual) writeFileSync(changed, actual);
  else rmSync(changed, { force: true });
  expect(actual, `${relativePath} differs from its golden file; the new output is in ${changed}`).toBe(expected);
}
