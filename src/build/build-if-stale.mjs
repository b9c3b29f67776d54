// `npm start` builds only when something the build reads changed since the last build: `npm
// install` has just built (prepare), and a second build costs ~45 s on a loaded 2-core machine.
// The build leaves dist/.build-stamp; any source, config or lock file newer than it rebuilds.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const stamp = join(root, 'dist', '.build-stamp');

/** Newest modification time under `path` (a file or a folder, walked without recursion limits). */
function newest(path) {
  let latest = 0;
  const pending = [path];
  while (pending.length > 0) {
    const current = pending.pop();
    const info = statSync(current);
    if (info.isDirectory()) for (const name of readdirSync(current)) pending.push(join(current, name));
    else latest = Math.max(latest, info.mtimeMs);
  }
  return latest;
}

const inputs = ['src', 'tsconfig.json', 'package.json', 'package-lock.json'].map((p) => join(root, p));
let built = 0;
try {
  built = statSync(stamp).mtimeMs;
} catch {
  // Never built here.
}
if (built > 0 && inputs.every((input) => newest(input) <= built)) {
  process.stderr.write('dist/ is up to date with src/ (npm run build rebuilds anyway)\n');
} else {
  const run = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
