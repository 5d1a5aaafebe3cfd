import { expect } from '@playwright/test';
import * as http from 'node:http';
import { PORT } from '../playwright.config';
import { CLIENT_HEADER, expectAccessible, expectNoSidewaysScroll, freshEmail, reportFor, screenshot, test, visitorAddress, wallets, watchConsole, WIDTHS } from './support';

// What people read beyond the findings — the link graph and the score's
// waterfall, drawn on the server so they are the same with JavaScript on
// and off, at desktop and phone widths — and the job page's live progress,
// pushed by Server-Sent Events with JavaScript on.

test.beforeAll(async ({ request }) => {
  await reportFor(request, wallets().exposed);
});

for (const js of [true, false]) {
  for (const width of WIDTHS) {
    test(`the link graph and the waterfall render at ${width} px with JavaScript ${js ? 'on' : 'off'}`, async ({ browser }) => {
      const context = await browser.newContext({ javaScriptEnabled: js, viewport: { width, height: width > 800 ? 800 : 844 } });
      const page = await context.newPage();
      const errors = watchConsole(page);
      await page.goto(`/report/${wallets().exposed}`);
      if (js) await expect(page.locator('html[data-hydrated]')).toHaveCount(1);

      const graph = page.getByRole('img', { name: /^Link graph: this wallet is tied to \d+ address/ });
      await expect(graph).toBeVisible();
      const svg = page.locator('.link-graph svg');
      await expect(svg).toContainText('This wallet');
      await expect(svg).toContainText('Binance');
      await expect(svg).toContainText('funded by');
      // It fits the column, and its smallest text is still drawn legibly.
      expect((await graph.boundingBox())!.width).toBeLessThanOrEqual(width);
      const smallest = await svg.locator('text').evaluateAll((texts) =>
        Math.min(...texts.map((t) => t.getBoundingClientRect().height)),
      );
      expect(smallest, 'height of the smallest graph text, in CSS pixels').toBeGreaterThanOrEqual(10);

      // The same links as a table, each address linking to the explorer.
      await page.getByText(/^The links as a table/).click();
      const rows = page.locator('.link-table tbody tr');
      await expect(rows.first()).toBeVisible();
      await expect(rows.first().locator('a[href^="https://solscan.io/account/"]').first()).toBeVisible();

      // The waterfall: one bar per step, each step linking to its finding.
      const steps = page.locator('.score-steps li.step');
      expect(await steps.count()).toBeGreaterThan(1);
      expect(await page.locator('.score-steps .step-bar').count()).toBe(await steps.count());
      const toFinding = page.locator('.score-steps li.step a').first();
      const anchor = (await toFinding.getAttribute('href'))!;
      expect(anchor).toMatch(/^#finding-/);
      await toFinding.click();
      await expect(page.locator(anchor)).toBeInViewport();

      await expectNoSidewaysScroll(page);
      await expectAccessible(page, `the report at ${width} px, JavaScript ${js ? 'on' : 'off'}`, js);
      await screenshot(page, `report-graph-${width}-${js ? 'js' : 'nojs'}`);
      // (Without JavaScript the WASM preload goes unused, and says so.)
      if (js) expect(errors, 'console errors').toEqual([]);
      await context.close();
    });
  }
}

test('with JavaScript the job page has its progress pushed: no reload, no polling', async ({ page, request }) => {
  const errors = watchConsole(page);
  const asked: string[] = [];
  page.on('request', (r) => asked.push(new URL(r.url()).pathname));
  // The mock RPC answers slowly for this wallet, so its job takes seconds;
  // a fresh analysis, so a report kept from an earlier run is not reused.
  const response = await request.post('/api/request-report', {
    form: { wallet: wallets().slow, email: freshEmail('live'), refresh: '1' },
    headers: { Accept: 'text/html' },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(303);
  const jobPath = response.headers()['location'];
  const id = jobPath.replace('/jobs/', '');

  await page.goto(jobPath);
  const bar = page.locator('progress.progress');
  await expect(bar, 'the job was unfinished when the page loaded').toBeVisible();
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  // A reload would lose this mark.
  await page.evaluate(() => ((window as any).__kimikoMark = 'same document'));

  // The bar moves as the worker fetches, then the page turns to the result.
  await expect(bar).toHaveAttribute('value', '100', { timeout: 20_000 });
  await expect(page.getByText('6 of 6 transactions fetched.')).toBeVisible();
  await screenshot(page, 'job-live');
  await expect(page.getByRole('heading', { name: 'Your report is ready' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('link', { name: 'Open the report' })).toBeVisible();

  expect(await page.evaluate(() => (window as any).__kimikoMark), 'no reload').toBe('same document');
  expect(asked.filter((p) => p === `/api/jobs/${id}/events`).length, 'the event stream was opened').toBeGreaterThanOrEqual(1);
  expect(asked.filter((p) => p === '/api/page/job' || p === `/api/jobs/${id}` || p === jobPath).length, 'no polling').toBe(1);
  expect(errors, 'console errors').toEqual([]);
  await expectAccessible(page, 'the job page after live progress');
});

test('with the stream limit reached, the job page still reaches the result without a reload', async ({ page, request }, info) => {
  const response = await request.post('/api/request-report', {
    form: { wallet: wallets().slow, email: freshEmail('live-refused'), refresh: '1' },
    headers: { Accept: 'text/html' },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(303);
  const jobPath = response.headers()['location'];
  const id = jobPath.replace('/jobs/', '');

  // Other devices behind the same address (a carrier's, a proxy's) hold
  // every progress stream one client may open.
  const events = `http://127.0.0.1:${PORT}/api/jobs/${id}/events`;
  const held = await Promise.all(
    Array.from({ length: 6 }, () =>
      new Promise<http.ClientRequest>((open, refuse) => {
        const stream = http.get(events, { headers: { [CLIENT_HEADER]: visitorAddress(info) } }, (answer) =>
          answer.statusCode === 200 ? open(stream) : refuse(new Error(`stream answered ${answer.statusCode}`)),
        );
      }),
    ),
  );
  try {
    const refused = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/jobs/${id}/events`);
    await page.goto(jobPath);
    await expect(page.locator('progress.progress'), 'the job was unfinished when the page loaded').toBeVisible();
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await page.evaluate(() => ((window as any).__kimikoMark = 'same document'));
    expect((await refused).status(), 'the page’s own stream was refused').toBe(429);

    await expect(page.getByRole('heading', { name: 'Your report is ready' })).toBeVisible({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as any).__kimikoMark), 'no reload').toBe('same document');
  } finally {
    held.forEach((stream) => stream.destroy());
  }
});
