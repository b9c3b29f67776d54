// `gateflow explore` and `trace --html` as a user runs them: both write the same explorer page,
// the same bytes from the built bin and in-process from src/ (the page script is one fixed text,
// src/explore/client-script.ts, made by the build: it used to be the running functions' own
// text, which tsc's dist/ and vitest's transform of src/ print differently); bad options print
// one line and exit 2. The runs after the first of each kind go in-process through runCli, the
// function the bin calls (standard error whole), saving a process start each.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the build, without type declarations.
import { CLIENT_SCRIPT_FILE, clientScriptModule } from '../../src/build/client-script.mjs';
import { runInProcessWithStderr } from '../cli-in-process.js';

const BIN = resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'gateflow-explore-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function gateflow(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: work }, (error, stdout, stderr) => {
      done({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const inProcess = (...args: string[]) => runInProcessWithStderr(args, work);

const SEQ = '[[1,0],[0,1],[0.5,-0.5],[2,1]]';

describe('gateflow explore', { timeout: 120_000 }, () => {
  it('writes the explorer page; trace --html writes the same page; in-process from src/, the same bytes', async () => {
    const first = await gateflow('explore', 'gru', '-i', SEQ, '--hidden', '3', '--seed', '7', '-o', 'a.html');
    expect(first.stderr).toBe('wrote a.html\n');
    expect(first.status).toBe(0);
    const again = await inProcess('explore', 'gru', '-i', SEQ, '--hidden', '3', '--seed', '7', '-o', 'b.html');
    expect(again.stderr).toBe('wrote b.html\n');
    expect(again.status).toBe(0);
    const traced = await gateflow('trace', 'gru', '-i', SEQ, '--hidden', '3', '--seed', '7', '--html', 'c.html');
    expect(traced.status).toBe(0);
    const page = readFileSync(join(work, 'a.html'), 'utf8');
    expect(readFileSync(join(work, 'b.html'), 'utf8')).toBe(page);
    expect(readFileSync(join(work, 'c.html'), 'utf8')).toBe(page);
    expect(page).toContain('<title>gateflow explore: gru</title>');
    expect(page).toContain('<input id="gf-step" type="range" min="0" max="3" value="0"');
  });

  it('the page script (src/explore/client-script.ts) is current with src/explore/client-*.ts (npm run build rewrites it)', () => {
    expect(readFileSync(CLIENT_SCRIPT_FILE, 'utf8')).toBe(clientScriptModule());
  });

  it.each([
    [['--window', '4'], "option --window: expected an integer from 1 to 3, found '4'"],
    [['--grad-unit', '3'], "--grad-unit 3 is outside 'h' (units 0 to 2)"],
    [['--grad-output', 'q'], "--grad-output 'q' is not a statement of cell 'gru' (its statements: r, z, n, h)"],
  ])('%j is refused with one line and exit status 2 (the first through the bin)', async (extra, message) => {
    const args = ['explore', 'gru', '-i', SEQ, '--hidden', '3', '-o', 'bad.html', ...extra];
    const run = extra[0] === '--window' ? await gateflow(...args) : await inProcess(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`gateflow: ${message}\n`);
  });
});
