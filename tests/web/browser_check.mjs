// Drives Debian's Chromium (headless, through puppeteer-core from
// tests/web/package-lock.json) against a running stroke-serve, as a person
// would: /docs "Try it out" on POST /prediction, then /ui (./ui_check.mjs).
// Screenshots go to ARTIFACTS. Run by tests/browser_test.py, which starts the
// server and computes the expected answers with stroke-predict.
//
// usage: node browser_check.mjs NODE_DIR CHROMIUM BASE_URL EXPECTED_JSON ARTIFACTS
//   EXPECTED_JSON: {"patient": {...record}, "probability": P, "csv": "...", "csv_probabilities": [...]}
// Exit 0 when every check passed, 1 otherwise (each failure printed).
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [nodeDir, chromium, baseUrl, expectedJson, artifacts] = process.argv.slice(2);
const require = createRequire(path.join(nodeDir, 'package.json'));
const puppeteer = require('puppeteer-core');
const expected = JSON.parse(expectedJson);
const failures = [];
export function check(condition, message) {
  if (!condition) failures.push(message);
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${message}`);
}

// /docs: Swagger UI renders; "Try it out" then "Execute" on POST /prediction
// sends the operation's example and shows a 200.
async function checkDocs(page) {
  await page.goto(`${baseUrl}/docs`, { waitUntil: 'networkidle0' });
  const operation = await page.waitForSelector('#operations-predictions-prediction', { timeout: 15000 });
  await page.click('#operations-predictions-prediction .opblock-summary-control');
  const tryOut = await page.waitForSelector('#operations-predictions-prediction .try-out__btn');
  await tryOut.click();
  const body = await page.waitForSelector('#operations-predictions-prediction textarea.body-param__text');
  const sent = JSON.parse(await body.evaluate((el) => el.value));
  check(Object.keys(sent).length === Object.keys(expected.patient).length,
        `/docs: the request body is the example record (${Object.keys(sent).length} fields)`);
  await page.click('#operations-predictions-prediction .execute');
  const status = await page.waitForSelector('#operations-predictions-prediction .live-responses-table tbody .response-col_status',
                                            { timeout: 15000 });
  const code = (await status.evaluate((el) => el.textContent)).trim();
  check(code.startsWith('200'), `/docs: Try it out on POST /prediction answers ${code}`);
  await (await page.$('#operations-predictions-prediction')).screenshot({ path: path.join(artifacts, 'docs-try-it-out.png') });
}

async function main() {
  const profile = mkdtempSync(path.join(tmpdir(), 'stroke-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('pageerror', (error) => check(false, `no script error in the page: ${error.message}`));
    await checkDocs(page);
    const { checkUi } = await import('./ui_check.mjs');
    await checkUi(browser, { baseUrl, expected, artifacts, check });
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  if (failures.length) {
    console.log(`${failures.length} check(s) failed`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.log(`FAIL ${error.stack}`);
  process.exit(1);
});
