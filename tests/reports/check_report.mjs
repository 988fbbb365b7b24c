// Opens an hwsim report in headless Chromium with the network disabled and
// checks that it works offline: no console errors, no request leaves the
// page, every chart has drawn data marks, and the speed-up chart has one bar
// per proposal of the study. Saves PNG screenshots (full page, first screen).
// usage: node check_report.mjs REPORT_DIR STUDY_JSON ARTIFACT_DIR
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [reportDir, studyJson, artifactDir] = process.argv.slice(2);
if (!reportDir || !studyJson || !artifactDir) {
  console.error('usage: node check_report.mjs REPORT_DIR STUDY_JSON ARTIFACT_DIR');
  process.exit(2);
}
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const chromiumPath = process.env.HWSIM_CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(chromiumPath)) {
  console.error(`FAIL: Chromium not found at ${chromiumPath}; install Debian's chromium (scripts/setup.sh does) ` +
                'or set HWSIM_CHROMIUM');
  process.exit(1);
}
let chromium;
try {
  ({ chromium } = createRequire(path.join(repoRoot, 'package.json'))('playwright-core'));
} catch (e) {
  console.error(`FAIL: playwright-core is not installed in ${repoRoot}/node_modules; run \`npm ci\` (scripts/setup.sh does)`);
  process.exit(1);
}

const failures = [];
const consoleErrors = [];
const requests = [];
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwsim-report-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: chromiumPath,
  headless: true,
  offline: true,
  viewport: { width: 1400, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
try {
  // Any request other than the page itself is a failure: the report must not fetch.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
  page.on('requestfailed', (req) => {
    if (!req.url().startsWith('file:')) requests.push(req.url());
  });
  const url = pathToFileURL(path.resolve(reportDir, 'index.html')).href;
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.hwsimReport && window.hwsimReport.done, null, { timeout: 60000 });
  const state = await page.evaluate(() => window.hwsimReport);
  const charts = await page.$$eval('.chart[data-spec]', (els) => els.map((el) => {
    const count = (sel) => Array.from(el.querySelectorAll(sel)).filter((n) => (n.getAttribute('d') || '') !== '').length;
    return {
      id: el.getAttribute('data-spec'),
      svg: el.querySelectorAll('svg').length,
      rect: count('g.mark-rect.role-mark path'),
      symbol: count('g.mark-symbol.role-mark path'),
      line: count('g.mark-line.role-mark path'),
      area: count('g.mark-area.role-mark path'),
    };
  }));
  if (charts.length === 0) failures.push('the page has no charts');
  if (state.rendered !== state.charts) failures.push(`${state.rendered} of ${state.charts} charts rendered: ${state.failed}`);
  for (const c of charts) {
    const marks = c.rect + c.symbol + c.line + c.area;
    console.log(`chart ${c.id}: svg=${c.svg} rect=${c.rect} symbol=${c.symbol} line=${c.line} area=${c.area}`);
    if (c.svg < 1 || marks < 1) failures.push(`chart ${c.id} drew no data marks`);
  }
  const study = JSON.parse(fs.readFileSync(studyJson, 'utf8'));
  // Layer-level proposals have the layer speed-up chart, step-level ones
  // (study.step) the step speed-up chart: one bar per proposal in each.
  const speedup = charts.find((c) => c.id.startsWith('chart-speedup'));
  if (study.proposals.length > 0 && !speedup) failures.push('no speed-up chart');
  else if (speedup && speedup.rect !== study.proposals.length) {
    failures.push(`speed-up chart has ${speedup.rect} bars, the study has ${study.proposals.length} proposals`);
  }
  const stepProposals = study.step ? study.step.proposals.length : 0;
  const stepSpeedup = charts.find((c) => c.id.startsWith('chart-step-speedup'));
  if (stepProposals > 0 && !stepSpeedup) failures.push('no step speed-up chart');
  else if (stepSpeedup && stepSpeedup.rect !== stepProposals) {
    failures.push(`step speed-up chart has ${stepSpeedup.rect} bars, the study has ${stepProposals} step-level proposals`);
  }
  if (study.proposals.length + stepProposals === 0) failures.push('the study has no proposals');
  const headline = await page.$eval('h1.headline', (h) => h.textContent);
  console.log(`headline: ${headline}`);
  if (!/buys the most/.test(headline)) failures.push(`headline does not name the best proposal: '${headline}'`);
  fs.mkdirSync(artifactDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactDir, 'report-first-screen.png') });
  await page.screenshot({ path: path.join(artifactDir, 'report.png'), fullPage: true });
  console.log(`screenshots: ${path.join(artifactDir, 'report.png')}, report-first-screen.png`);
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
for (const e of consoleErrors) failures.push(`console error: ${e}`);
for (const r of requests) failures.push(`network request attempted: ${r}`);
if (failures.length > 0) {
  for (const f of failures) console.error(`FAIL: ${f}`);
  process.exit(1);
}
console.log('PASS: report renders offline with no console errors');
