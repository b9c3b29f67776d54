import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGallery } from '../src/gallery.js';
import { listCells, readCell } from '../src/io/index.js';

const OUT = join(import.meta.dirname, '..', 'out');
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));

describe('out/ gallery', { timeout: 120_000 }, () => {
  it('is exactly what the current code generates (run `npm start` to refresh it)', async () => {
    const files = await buildGallery(listCells().map((name) => ({ name, ...readCell(name) })));
    for (const f of files) {
      const path = join(OUT, f.path);
      expect(existsSync(path), `${f.path} is missing from out/`).toBe(true);
      const actual = readFileSync(path);
      const expected = typeof f.content === 'string' ? Buffer.from(f.content) : Buffer.from(f.content);
      expect(actual.equals(expected), `out/${f.path} is stale`).toBe(true);
    }
    const generated = new Set(files.map((f) => f.path));
    const stray = walk(OUT).map((p) => relative(OUT, p)).filter((p) => !generated.has(p) && !p.startsWith('.'));
    expect(stray, 'files in out/ that the gallery no longer makes').toEqual([]);
  });
});
