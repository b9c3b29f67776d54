// One headless Chromium per test file, driven by playwright-core. The browser is Debian's
// chromium (.ci/run installs it when missing) or GATEFLOW_CHROMIUM; without one the tests
// fail with the reason, never skip.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string {
  const given = process.env.GATEFLOW_CHROMIUM;
  if (given) {
    if (!existsSync(given)) throw new Error(`GATEFLOW_CHROMIUM=${given} does not exist`);
    return given;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error(`no Chromium found (looked for ${CANDIDATES.join(', ')}); install it with 'apt-get install -y chromium' (.ci/run does) or set GATEFLOW_CHROMIUM`);
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu'] });
}

/** What a page did that it should not: console errors, uncaught exceptions, requests beyond its own file. */
export interface PageWatch {
  readonly errors: string[];
  readonly requests: string[];
}

/** A new page that records console errors, page errors and every request other than the page itself. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1400, height: 1000 }): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage({ viewport });
  const watch: PageWatch = { errors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') watch.errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => watch.errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) watch.requests.push(r.url());
  });
  await page.goto(url);
  return { page, watch };
}
