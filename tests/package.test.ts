// What `npm pack` would ship ("files" in package.json): the build and the templates, without
// tests, golden files, the gallery, sources or V8 code caches (the first run makes those for its
// own Node). `npm run test:package` installs the real tarball and runs it.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');

describe('the npm package', () => {
  it('ships dist/ and templates/ only, about 1 MB packed', () => {
    const run = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const [packed] = JSON.parse(run.stdout) as { size: number; files: { path: string }[] }[];
    const paths = packed!.files.map((f) => f.path);
    const tops = [...new Set(paths.map((p) => p.split('/')[0]))].sort();
    expect(tops).toEqual(['README.md', 'dist', 'package.json', 'templates']);
    expect(paths.filter((p) => p.endsWith('.cache') || p.endsWith('.tmp') || p.endsWith('.build-stamp'))).toEqual([]);
    // The startup snapshot holds this dist/'s absolute paths and this Node's heap: never shipped.
    expect(paths.filter((p) => p.startsWith('dist/snapshot/'))).toEqual([]);
    for (const cell of readdirSync(join(ROOT, 'templates', 'cells'))) expect(paths).toContain(`templates/cells/${cell}`);
    expect(paths).toContain('dist/cli/main.js');
    expect(paths).toContain('dist/diagram/vendor/mathjax.cjs');
    // 6.6 MB before the "files" list; the bundles are most of what is left (1.51 MB today). The
    // bound catches a folder shipped by mistake (tests, out/, sources: each adds far more than
    // 100 KB), not ordinary growth of the code and README, which kept tripping a 1 % margin.
    expect(packed!.size).toBeLessThan(1.6e6);
  });
});
