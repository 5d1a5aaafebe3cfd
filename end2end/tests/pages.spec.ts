import { expect, Page } from '@playwright/test';
import { expectAccessible, expectNoSidewaysScroll, reportFor, screenshotAtWidths, test, wallets, watchConsole } from './support';

// Every page, with JavaScript on and off, at 1280 and 390 px, in light and
// dark: screenshots kept as artifacts, an axe-core scan with no serious or
// critical violation, nothing left "Loading…", no sideways scrolling at
// 360 px, and (with JavaScript) no console error, which is how a hydration
// mismatch shows.

interface PageCase {
  name: string;
  path: () => Promise<string> | string;
  heading: () => RegExp;
  status?: number;
}

let jobId = '';

const pages: PageCase[] = [
  { name: 'home', path: () => '/', heading: () => /How exposed is your Solana wallet\?/ },
  { name: 'report', path: () => `/report/${wallets().exposed}`, heading: () => new RegExp(wallets().exposed) },
  { name: 'report-clean', path: () => `/report/${wallets().careful}`, heading: () => new RegExp(wallets().careful) },
  { name: 'report-empty', path: () => `/report/${wallets().empty}`, heading: () => new RegExp(wallets().empty) },
  { name: 'job-done', path: () => `/jobs/${jobId}`, heading: () => /Your report is ready/ },
  { name: 'methodology', path: () => '/methodology', heading: () => /How the score works/ },
  { name: 'privacy', path: () => '/privacy', heading: () => /What we keep/ },
  { name: 'not-found', path: () => '/no/such/page', heading: () => /Page not found/, status: 404 },
  { name: 'no-report', path: () => '/report/11111111111111111111111111111112', heading: () => /No report for this wallet/, status: 404 },
];

test.beforeAll(async ({ request }) => {
  jobId = await reportFor(request, wallets().exposed);
  await reportFor(request, wallets().careful);
  await reportFor(request, wallets().empty);
});

async function open(page: Page, item: PageCase, js: boolean) {
  const response = await page.goto(await item.path());
  expect(response?.status(), item.name).toBe(item.status ?? 200);
  await expect(page.locator('h1')).toContainText(item.heading());
  if (js) await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  await expect(page.locator('body')).not.toContainText('Loading…');
}

for (const js of [true, false]) {
  const mode = js ? 'js' : 'nojs';
  test.describe(`${js ? 'with' : 'without'} JavaScript`, () => {
    test.use({ javaScriptEnabled: js });

    for (const item of pages) {
      test(`${item.name} renders fully, is accessible and fits a phone`, async ({ page }) => {
        const errors = watchConsole(page);
        await open(page, item, js);
        await screenshotAtWidths(page, `${item.name}-${mode}`);
        await page.setViewportSize({ width: 360, height: 740 });
        await expectNoSidewaysScroll(page);
        await page.setViewportSize({ width: 1280, height: 800 });
        await expectAccessible(page, `${item.name} (${mode}, light)`, js);
        // 404s log the failed document load itself. Without JavaScript the
        // preloaded WASM goes unused, which Chromium warns about; that is
        // the point of the mode, not a fault.
        const unexpected = errors.filter(
          (e) => !/status of 404/.test(e) && (js || !/preloaded using link preload but not used/.test(e)),
        );
        expect(unexpected, 'console errors').toEqual([]);
      });
    }
  });
}

test.describe('in dark mode', () => {
  test.use({ colorScheme: 'dark' });
  for (const item of pages.filter((p) => ['home', 'report', 'job-done', 'methodology'].includes(p.name))) {
    test(`${item.name} keeps its contrast`, async ({ page }) => {
      await open(page, item, true);
      await screenshotAtWidths(page, `${item.name}-js-dark`);
      await page.setViewportSize({ width: 1280, height: 800 });
      await expectAccessible(page, `${item.name} (dark)`);
    });
  }
});

test('the keyboard alone reaches the content and submits the form', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.getByLabel('Solana wallet address').focus();
  await page.keyboard.type(wallets().careful);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Email for the report link')).toBeFocused();
  await page.keyboard.type(`keyboard-${Date.now()}@example.com`);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/jobs\//);
});
