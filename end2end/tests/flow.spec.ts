import { test, expect } from '@playwright/test';
import { mailedReportLink, requestReport, screenshot, wallets } from './support';

test.describe('with JavaScript', () => {
  test('the hydrated form submits in place, the job page follows the worker, the report opens', async ({ page }) => {
    const wallet = wallets().exposed;
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'How exposed is your Solana wallet?' })).toBeVisible();
    // Wait for hydration, then mark the window: a full page load would lose the mark.
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await page.evaluate(() => ((window as any).__kimikoMark = 'same document'));
    await screenshot(page, 'home-js');

    await requestReport(page, wallet, 'js-user@example.com');
    await expect(page).toHaveURL(/\/jobs\/[1-9A-HJ-NP-Za-km-z]{16,24}$/);
    expect(await page.evaluate(() => (window as any).__kimikoMark)).toBe('same document');
    await expect(page.getByText(wallet)).toBeVisible();
    await expect(page.locator('body')).not.toContainText('js-user@example.com');
    await screenshot(page, 'job-js');

    await expect(page.getByRole('heading', { name: 'Your report is ready' })).toBeVisible({ timeout: 30_000 });
    await screenshot(page, 'job-done-js');
    await page.getByRole('link', { name: 'Open the report' }).click();
    await expect(page).toHaveURL(new RegExp(`/report/${wallet}$`));
    await expect(page.getByRole('heading', { name: 'Findings', exact: true })).toBeVisible();
    await expect(page.getByText('Direct transfers with an exchange')).toBeVisible();
    await screenshot(page, 'report-js');

    const link = await mailedReportLink('js-user@example.com');
    expect(link).toContain(`/report/${wallet}`);
  });

  test('invalid input is refused beside the fields without a reload', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await requestReport(page, 'not-a-wallet-0OIl', 'nobody');
    await expect(page.locator('#wallet-error')).toContainText("can't appear in a Solana address");
    await expect(page.locator('#email-error')).toContainText("doesn't look like an email");
    await expect(page).toHaveURL(/\/$/);
    await screenshot(page, 'home-errors-js');
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a plain form post lands on the job page, which refreshes itself until the report is ready', async ({ page }) => {
    const wallet = wallets().careful;
    await page.goto('/');
    await screenshot(page, 'home-nojs');
    await requestReport(page, wallet, 'nojs-user@example.com');
    await expect(page).toHaveURL(/\/jobs\/[1-9A-HJ-NP-Za-km-z]{16,24}$/);
    await screenshot(page, 'job-nojs');
    // The page reloads itself (noscript meta refresh) until the job is done.
    await expect(page.getByRole('link', { name: 'Open the report' })).toBeVisible({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Open the report' }).click();
    await expect(page).toHaveURL(new RegExp(`/report/${wallet}$`));
    await expect(page.getByRole('heading', { name: 'Findings', exact: true })).toBeVisible();
    await screenshot(page, 'report-nojs');

    // The emailed link opens the same report.
    const link = await mailedReportLink('nojs-user@example.com');
    await page.goto(link);
    await expect(page.locator('h1')).toContainText(wallet);
  });

  test('invalid input comes back with messages beside the fields', async ({ page }) => {
    await page.goto('/');
    await requestReport(page, '  tooshort  ', 'a@b.io, c@d.io');
    await expect(page.locator('#wallet-error')).toContainText('at least 32 characters');
    await expect(page.locator('#email-error')).toContainText('Enter one email address only');
    await expect(page.locator('#wallet')).toHaveValue('tooshort');
    await screenshot(page, 'home-errors-nojs');
  });
});
