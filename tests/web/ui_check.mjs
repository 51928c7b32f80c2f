// /ui in the browser, as a person uses it (browser_check.mjs calls
// checkUi): fill a patient, submit, read the probability (it must equal
// stroke-predict's, unrounded), see the explanation and distribution charts;
// upload a CSV in the batch tab (answers and per-row errors as
// stroke-predict gives them, a histogram, a download); every control
// labelled; a phone-sized screen without sideways scrolling. Element ids:
// the list atop apps/serve/ui/ui.js.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const fieldId = (name) => `#field-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;

// Sets each field of `record` through its control, as typing and clicking would.
async function fill(page, record) {
  for (const [name, value] of Object.entries(record)) {
    const id = fieldId(name);
    const kind = await page.$eval(id, (el) => `${el.tagName.toLowerCase()}:${el.type || ''}`);
    if (kind.startsWith('select')) {
      await page.select(id, String(value));
    } else if (kind.endsWith(':checkbox')) {
      if ((await page.$eval(id, (el) => el.checked)) !== Boolean(value)) await page.click(id);
    } else {
      await page.click(id, { count: 3 });
      await page.keyboard.press('Backspace');
      await page.type(id, String(value));
    }
  }
}

async function checkRecord(page, { expected, artifacts, check }) {
  await fill(page, expected.patient);
  await page.click('#submit-record');
  await page.waitForSelector('#answer-probability[data-value]', { timeout: 15000 });
  const shown = Number(await page.$eval('#answer-probability', (el) => el.dataset.value));
  check(shown === expected.probability,
        `/ui: the probability shown (${shown}) is stroke-predict's (${expected.probability})`);
  const text = await page.$eval('#answer-probability', (el) => el.textContent);
  check(text.includes((expected.probability * 100).toFixed(1)), `/ui: it reads as a percentage ("${text}")`);
  check((await page.$eval('#answer-class', (el) => el.textContent)).trim() !== '', '/ui: the class is shown');
  check((await page.$eval('#answer-risk', (el) => el.textContent)).trim() !== '', '/ui: the risk level is shown');
  await page.waitForSelector('#explanation-chart canvas', { timeout: 10000 });
  check(true, '/ui: the explanation is drawn as a chart (Chart.js canvas)');
  await page.waitForSelector('#distribution-chart canvas', { timeout: 10000 });
  check(true, '/ui: the distribution by class is drawn as a chart');
  await page.screenshot({ path: path.join(artifacts, 'ui-record.png'), fullPage: true });
}

async function checkBatch(page, { expected, artifacts, check }) {
  await page.click('#tab-batch');
  const csvPath = path.join(artifacts, 'batch.csv');
  writeFileSync(csvPath, expected.csv);
  await (await page.$('#batch-file')).uploadFile(csvPath);
  await page.waitForFunction((n) => document.querySelectorAll('#batch-table tbody tr').length === n,
                             { timeout: 15000 }, expected.csv_rows);
  const rows = await page.$$eval('#batch-table tbody tr', (trs) => trs.map((tr) => ({
    error: tr.classList.contains('row-error'),
    value: tr.querySelector('td.num')?.dataset.value,
  })));
  rows.forEach((row, i) => {
    const want = expected.csv_probabilities[i];
    if (want === null || want === undefined) {
      check(row.error, `/ui batch: row ${i + 1} shows its error, as stroke-predict refuses it`);
    } else {
      check(!row.error && Number(row.value) === want, `/ui batch: row ${i + 1} is ${row.value}, stroke-predict ${want}`);
    }
  });
  check(await page.$('#batch-histogram canvas') !== null, '/ui batch: a histogram of the probabilities');
  check(await page.$eval('#batch-download', (el) => !el.hidden && el.href.startsWith('blob:')),
        '/ui batch: the results can be downloaded as CSV');
  await page.screenshot({ path: path.join(artifacts, 'ui-batch.png'), fullPage: true });
}

async function checkAccessible(page, { check }) {
  const unlabelled = await page.$$eval('#fields input, #fields select', (controls) =>
    controls.filter((c) => c.labels.length === 0 && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
      .map((c) => c.id));
  check(unlabelled.length === 0, `/ui: every control has a label (unlabelled: ${unlabelled.join(', ') || 'none'})`);
  check(await page.$eval('#answer', (el) => el.getAttribute('aria-live') !== null), '/ui: the answer is announced (aria-live)');
}

async function checkPhone(browser, { baseUrl, artifacts, check }) {
  const page = await browser.newPage();
  await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
  await page.goto(`${baseUrl}/ui`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#field-age');
  await page.waitForFunction(() => document.querySelector('#model-card').textContent.includes('Decision threshold'));
  await page.click('#submit-record');
  await page.waitForSelector('#answer-probability[data-value]', { timeout: 15000 });
  await page.waitForSelector('#explanation-chart canvas', { timeout: 10000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `/ui on a 390 px screen, answered: no sideways scrolling (overflow ${overflow} px)`);
  await page.screenshot({ path: path.join(artifacts, 'ui-phone.png'), fullPage: false });
  await page.close();
}

// Behind --users and --protect-ops: the page's own sign-in box (no browser
// dialog), a wrong password refused, the right one answers; the credential
// only in this tab's sessionStorage, never in the URL or localStorage.
async function checkSignIn(browser, { expected, check }) {
  const { url, user, password } = expected.signin;
  const page = await browser.newPage();
  let browserDialog = false;
  page.on('dialog', async (dialog) => { browserDialog = true; await dialog.dismiss(); });
  await page.goto(`${url}/ui`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#signin[open]', { timeout: 15000 });
  check(true, '/ui behind --users: the page opens its own sign-in box');
  await page.type('#signin-user', user);
  await page.type('#signin-password', 'not-the-password');
  await page.click('#signin-submit');
  await page.waitForFunction(() => document.querySelector('#signin-error').textContent.includes('not accepted'),
                             { timeout: 15000 });
  check(true, '/ui: a wrong password is refused in the box');
  await page.click('#signin-user', { count: 3 });
  await page.type('#signin-user', user);
  await page.type('#signin-password', password);
  await page.click('#signin-submit');
  await page.waitForSelector('#field-age', { timeout: 15000 });
  check(true, '/ui: the right password loads the form');
  const stored = await page.evaluate(() => ({ session: sessionStorage.length, local: localStorage.length,
                                              href: location.href }));
  check(stored.session === 1 && stored.local === 0 && !stored.href.includes(password),
        `/ui: the credential is kept in sessionStorage only (session ${stored.session}, local ${stored.local})`);
  check(!browserDialog, '/ui: the browser showed no login dialog of its own');
  await page.close();
}

export async function checkUi(browser, context) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('pageerror', (error) => context.check(false, `/ui: no script error: ${error.message}`));
  await page.goto(`${context.baseUrl}/ui`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#field-age', { timeout: 15000 });
  await page.waitForFunction(() => document.querySelector('#model-card').textContent.includes('Decision threshold'));
  context.check(true, '/ui: the model card shows the decision threshold');
  await checkAccessible(page, context);
  await checkRecord(page, context);
  await checkBatch(page, context);
  await page.close();
  await checkPhone(browser, context);
  await checkSignIn(browser, context);
}
