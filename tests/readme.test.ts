// The README's promises, checked: its two commands are the package's scripts, .ci/run calls
// exactly its test command, and its library example runs as written (against the build).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('opens with the install-and-run command and the test command', () => {
    const firstBlock = readme.split('```sh\n')[1]!.split('```')[0]!;
    const commands = firstBlock.trim().split('\n').map((line) => line.split('#')[0]!.trim());
    expect(commands).toEqual(['npm install && npm start', 'npm test']);
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    expect(ci.trim().split('\n').at(-1)).toBe('npm test');
  });

  it('names every runtime dependency in its table', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]) {
      const listed = name.startsWith('@types/') || readme.includes(`| ${name} |`) || readme.includes(` ${name},`) || readme.includes(`, ${name} |`) || readme.includes(`| ${name},`) || readme.includes(`, ${name} (dev)`) || readme.includes(`| ${name} (dev)`);
      expect(listed, `${name} is not in the README's dependency table`).toBe(true);
    }
  });

  it('its library example runs as written', () => {
    const example = readme.split('```ts\n')[1]!.split('```')[0]!;
    const entry = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;
    const script = example.replace("from 'gateflow'", `from '${entry}'`) + '\nconsole.log(JSON.stringify({ svg: svg.slice(0, 5), z: t.steps[1].values.z, params: cell.params.length }));\n';
    const dir = mkdtempSync(join(tmpdir(), 'gateflow-readme-'));
    writeFileSync(join(dir, 'example.mjs'), script);
    const run = spawnSync(process.execPath, [join(dir, 'example.mjs')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout);
    expect(result.svg).toBe('<?xml');
    expect(result.z).toHaveLength(1);
    expect(result.z[0]).toHaveLength(3);
    for (const v of result.z[0]) expect(v > 0 && v < 1).toBe(true); // a sigmoid gate
  }, 60_000); // a Node process that loads the whole library (MathJax, svgdom, elkjs) and draws: seconds on a loaded machine
});
