import { expect } from '@playwright/test';
import { pngSize, reportFor, screenshot, test, wallets, watchConsole } from './support';

// The report as it is shared: preview tags a crawler sees without
// JavaScript, the card image they point to, copy and share links with
// JavaScript on and off, charts readable without JavaScript, HTTP caching,
// and on-chain markup shown as text.

test.beforeAll(async ({ request }) => {
  await reportFor(request, wallets().exposed);
  await reportFor(request, wallets().hostile);
});

test.describe('without JavaScript, as a crawler sees it', () => {
  test.use({ javaScriptEnabled: false });

  test('the preview tags name the score and point to a card that loads', async ({ page, request, baseURL }) => {
    const wallet = wallets().exposed;
    await page.goto(`/report/${wallet}`);
    const meta = async (key: string) =>
      page.locator(`meta[property="${key}"], meta[name="${key}"]`).first().getAttribute('content');
    const url = `${baseURL}/report/${wallet}`;
    expect(await meta('og:title')).toMatch(/^Wallet \w{4}…\w{4}: privacy score \d{1,3}\/100 \([ABCDF]\)$/);
    expect(await meta('og:description')).toContain('Top findings:');
    expect(await meta('og:url')).toBe(url);
    expect(await meta('og:image')).toBe(`${url}/card.png`);
    expect(await meta('og:image:width')).toBe('1200');
    expect(await meta('twitter:card')).toBe('summary_large_image');
    expect(await meta('twitter:image')).toBe(`${url}/card.png`);
    expect(await page.locator('link[rel="canonical"]').getAttribute('href')).toBe(url);

    const card = await request.get(`/report/${wallet}/card.png`);
    expect(card.status()).toBe(200);
    expect(card.headers()['content-type']).toBe('image/png');
    expect(pngSize(await card.body())).toEqual([1200, 630]);
    // Shown in a page, the image decodes at its full size.
    await page.goto(`/report/${wallet}/card.png`);
    await screenshot(page, 'card');
    const size = await page.locator('img').evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    expect(size).toEqual([1200, 630]);
  });

  test('charts, counterparties and share links are there as plain HTML', async ({ page, baseURL }) => {
    const wallet = wallets().exposed;
    await page.goto(`/report/${wallet}`);
    await expect(page.getByRole('img', { name: /By hour of day \(UTC\)/ })).toBeVisible();
    await expect(page.getByRole('img', { name: /By weekday/ })).toBeVisible();
    await expect(page.getByRole('img', { name: /Over time, by month/ })).toBeVisible();
    await expect(page.getByText(/Nothing between \d\d:00 and \d\d:00 UTC/)).toBeVisible();
    await expect(page.locator('.counterparty').first()).toContainText(/transfers? · \d+\.\d% of all transfers/);
    await expect(page.locator('.counterparty .entity-label', { hasText: 'Binance' })).toBeVisible();
    await expect(page.getByText(/^Analysed \d+ of \d+\+? .*transactions between \d{4}-\d\d-\d\d and \d{4}-\d\d-\d\d\.$/)).toBeVisible();
    // With JavaScript off, "Copy link" is simply the report's link.
    await expect(page.getByRole('link', { name: 'Copy link' })).toHaveAttribute('href', `${baseURL}/report/${wallet}`);
    await expect(page.getByRole('link', { name: /^X/ })).toHaveAttribute('href', /^https:\/\/x\.com\/intent\/tweet\?text=.*&url=http/);
    await expect(page.getByLabel('Link to this report')).toHaveValue(`${baseURL}/report/${wallet}`);
  });

  test('a fresh analysis goes through the same form and lands on the job page', async ({ page }) => {
    await page.goto(`/report/${wallets().exposed}`);
    await page.getByLabel('Email for the report link').fill(`fresh-nojs-${Date.now()}@example.com`);
    await page.getByRole('button', { name: 'Analyse this wallet again' }).click();
    await expect(page).toHaveURL(/\/jobs\/[1-9A-HJ-NP-Za-km-z]{16,24}$/);
    await expect(page.locator('.wallet-line')).toHaveText(wallets().exposed);
  });
});

test.describe('with JavaScript', () => {
  test('copy link puts the report link on the clipboard', async ({ page, context, baseURL }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
    const errors = watchConsole(page);
    const wallet = wallets().exposed;
    await page.goto(`/report/${wallet}`);
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await page.getByRole('link', { name: 'Copy link' }).click();
    await expect(page.getByRole('status')).toHaveText('The link is on your clipboard.');
    await expect(page.getByRole('link', { name: 'Link copied' })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${baseURL}/report/${wallet}`);
    await expect(page).toHaveURL(`${baseURL}/report/${wallet}`);
    expect(errors).toEqual([]);
  });

  test('a fresh analysis submits in place and follows the job', async ({ page }) => {
    await page.goto(`/report/${wallets().exposed}`);
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await page.getByLabel('Email for the report link').fill(`fresh-js-${Date.now()}@example.com`);
    await page.getByRole('button', { name: 'Analyse this wallet again' }).click();
    await expect(page).toHaveURL(/\/jobs\/[1-9A-HJ-NP-Za-km-z]{16,24}$/);
    await expect(page.getByRole('heading', { name: 'Your report is ready' })).toBeVisible({ timeout: 30_000 });
  });
});

for (const js of [true, false]) {
  test(`on-chain markup is shown as text, never run (JavaScript ${js ? 'on' : 'off'})`, async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: js });
    const page = await context.newPage();
    let dialogs = 0;
    page.on('dialog', async (dialog) => {
      dialogs += 1;
      await dialog.dismiss();
    });
    await page.goto(`/report/${wallets().hostile}`);
    if (js) await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await expect(page.locator('q.onchain-text', { hasText: 'pwned' }).first()).toHaveText(`<script>alert("pwned")</script><b onclick='x()'>bold</b> & more`);
    expect(await page.locator('b[onclick]').count()).toBe(0);
    expect(dialogs).toBe(0);
    await screenshot(page, `report-hostile-${js ? 'js' : 'nojs'}`);
    await context.close();
  });
}

test('report page, JSON and card answer 304 to their ETag', async ({ request }) => {
  const wallet = wallets().exposed;
  for (const path of [`/report/${wallet}`, `/api/reports/${wallet}`, `/report/${wallet}/card.png`]) {
    const first = await request.get(path);
    expect(first.status(), path).toBe(200);
    const etag = first.headers()['etag'];
    expect(etag, path).toBeTruthy();
    expect(first.headers()['cache-control'], path).toMatch(/^public, max-age=\d+$/);
    const again = await request.get(path, { headers: { 'If-None-Match': etag } });
    expect(again.status(), path).toBe(304);
  }
});
