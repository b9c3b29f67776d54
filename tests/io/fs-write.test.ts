// writeFileAtomic and checkOutputLocation on the awkward targets: a file where a folder should
// be, folders that cannot be made (/proc), long names, symlinks, FIFOs, and temp files left by
// a killed run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutputLocation, writeFileAtomic } from '../../src/io/index.js';

const work = () => mkdtempSync(join(tmpdir(), 'gateflow-write-'));
const hasProc = existsSync('/proc/self');

/** The pid of a process that has exited (nothing reuses it within a test). */
function deadPid(): number {
  const run = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(run.stdout);
}

describe('writeFileAtomic', () => {
  it('makes the missing folders one level at a time and leaves no temporary file', () => {
    const dir = work();
    const target = join(dir, 'a', 'b', 'x.svg');
    writeFileAtomic(target, '<svg/>');
    expect(readFileSync(target, 'utf8')).toBe('<svg/>');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['x.svg']);
  });

  it('a file where a folder should be is the user\'s error, naming both', () => {
    const dir = work();
    writeFileSync(join(dir, 'afile'), 'x');
    expect(() => writeFileAtomic(join(dir, 'afile', 'x.svg'), 'y')).toThrow(`cannot write '${join(dir, 'afile', 'x.svg')}': '${join(dir, 'afile')}' is a file, not a folder`);
    expect(() => writeFileAtomic(dir, 'y')).toThrow(`cannot write '${dir}': it is a folder`);
  });

  it.runIf(hasProc)('a folder that cannot be made (/proc/new) fails at once instead of looping', () => {
    const started = Date.now();
    expect(() => writeFileAtomic('/proc/new/x.svg', 'y')).toThrow("cannot write '/proc/new/x.svg': cannot create the folder '/proc/new' (no such folder)");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a 250-character name fits: the temporary name is cut to the file-name limit', () => {
    const dir = work();
    const name = `${'n'.repeat(246)}.svg`;
    writeFileAtomic(join(dir, name), 'long');
    expect(readdirSync(dir)).toEqual([name]);
    expect(readFileSync(join(dir, name), 'utf8')).toBe('long');
  });

  it('a symlink keeps pointing at its target, which gets the new bytes', () => {
    const dir = work();
    writeFileSync(join(dir, 'real.txt'), 'old');
    symlinkSync('real.txt', join(dir, 'link.txt'));
    writeFileAtomic(join(dir, 'link.txt'), 'new');
    expect(lstatSync(join(dir, 'link.txt')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.txt'))).toBe('real.txt');
    expect(readFileSync(join(dir, 'real.txt'), 'utf8')).toBe('new');
  });

  it.runIf(spawnSync('mkfifo', ['--version']).status === 0)('a FIFO is written in place, not replaced by a regular file', async () => {
    const dir = work();
    const fifo = join(dir, 'pipe');
    spawnSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let received = '';
    reader.stdout.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const closed = new Promise((resolve) => reader.on('close', resolve));
    writeFileAtomic(fifo, 'through the pipe');
    await closed;
    expect(received).toBe('through the pipe');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('removes the temporary files of dead runs for the same name, and keeps those of live ones', () => {
    const dir = work();
    const dead = `.x.svg.${deadPid()}.tmp`;
    const live = `.x.svg.${process.ppid}.tmp`;
    const other = `.y.svg.${deadPid()}.tmp`;
    for (const name of [dead, live, other]) writeFileSync(join(dir, name), 'partial');
    writeFileAtomic(join(dir, 'x.svg'), 'done');
    expect(readdirSync(dir).sort()).toEqual([live, other, 'x.svg'].sort());
  });
});

describe('checkOutputLocation', () => {
  it('accepts a new file or folder below missing folders, and creates nothing', () => {
    const dir = work();
    checkOutputLocation(join(dir, 'a', 'b', 'x.svg'), 'file');
    checkOutputLocation(join(dir, 'c', 'd'), 'folder');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a file used as a folder, a folder used as a file, and a file as a parent', () => {
    const dir = work();
    writeFileSync(join(dir, 'afile'), 'x');
    mkdirSync(join(dir, 'adir'));
    expect(() => checkOutputLocation(join(dir, 'afile'), 'folder')).toThrow(`cannot write '${join(dir, 'afile')}': it is a file, not a folder`);
    expect(() => checkOutputLocation(join(dir, 'adir'), 'file')).toThrow(`cannot write '${join(dir, 'adir')}': it is a folder`);
    expect(() => checkOutputLocation(join(dir, 'afile', 'sub', 'x.svg'), 'file')).toThrow(`cannot write '${join(dir, 'afile', 'sub', 'x.svg')}': '${join(dir, 'afile')}' is a file, not a folder`);
  });

  it.runIf(hasProc && existsSync('/sys/kernel'))('refuses folders the system will not let anyone create or write (/proc, /sys)', () => {
    expect(() => checkOutputLocation('/proc/new/x.svg', 'file')).toThrow("cannot write '/proc/new/x.svg': cannot write in '/proc' (it takes no new files)");
    expect(() => checkOutputLocation('/sys/x.svg', 'file')).toThrow(/^cannot write '\/sys\/x\.svg': cannot write in '\/sys' \((permission denied|read-only file system)\)$/);
  });
});
