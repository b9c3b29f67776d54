// Runs the whole vitest suite and ends with the one line CI reads: "N passed, M failed".
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, existsSync } from 'node:fs';

const report = '.vitest-report.json';
rmSync(report, { force: true });
// --no-isolate: each of the two workers runs file after file in one process, so mathjs, MathJax,
// svgdom and elkjs load twice instead of once per file: a third less CPU for the whole suite
// (306 s against 463 s of user time, measured side by side).
// tests/vitest.config.mjs: longest files first, so that neither worker is left alone at the end.
const run = spawnSync('npx', ['vitest', 'run', '--config', 'tests/vitest.config.mjs', '--dir', 'tests', '--no-isolate', '--testTimeout', '120000', '--maxWorkers', '2', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
  stdio: 'inherit',
});
if (!existsSync(report)) {
  console.log('0 passed, 1 failed');
  process.exit(run.status || 1);
}
const result = JSON.parse(readFileSync(report, 'utf8'));
const passed = result.numPassedTests;
// A file that fails to load counts as a failure even though it holds no test.
const failedSuites = result.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
const failed = result.numFailedTests + failedSuites;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
