import { expect, Page } from '@playwright/test';
import { freshEmail, mailedReportLink, mailTo, requestReport, screenshot, screenshotAtWidths, test, wallets, watchConsole } from './support';

// The whole flow, as a person goes through it: the form, the job page
// following the worker, the mail with its link, the report it opens.

/** The mail's HTML part in Chromium, at both widths, with its link checked. */
async function checkMail(page: Page, to: string, name: string) {
  const mail = await mailTo(to);
  const link = await mailedReportLink(to);
  // The plain-text part stands on its own: score, findings, link, no markup.
  expect(mail.text).toMatch(/Score: {2}\d{1,3}\/100 \(grade [ABCDF]\)/);
  expect(mail.text).toContain(link);
  expect(mail.text).not.toMatch(/<[a-z]/i);
  expect(mail.html).not.toContain(to);
  await page.setContent(mail.html);
  await expect(page.getByRole('link', { name: 'Read the full report' })).toHaveAttribute('href', link);
  await screenshotAtWidths(page, `email-${name}`);
  return link;
}

test.describe('with JavaScript', () => {
  test('the hydrated form submits in place, the job page follows the worker, the mail opens the report', async ({ page }) => {
    const wallet = wallets().exposed;
    const email = freshEmail('js-user');
    const errors = watchConsole(page);
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'How exposed is your Solana wallet?' })).toBeVisible();
    // Wait for hydration, then mark the window: a full page load would lose the mark.
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await page.evaluate(() => ((window as any).__kimikoMark = 'same document'));

    await requestReport(page, wallet, email);
    await expect(page).toHaveURL(/\/jobs\/[1-9A-HJ-NP-Za-km-z]{16,24}$/);
    expect(await page.evaluate(() => (window as any).__kimikoMark)).toBe('same document');
    await expect(page.getByText(wallet)).toBeVisible();
    await expect(page.locator('body')).not.toContainText(email);
    await screenshot(page, 'job-js');

    await expect(page.getByRole('heading', { name: 'Your report is ready' })).toBeVisible({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as any).__kimikoMark), 'pushed, not reloaded').toBe('same document');
    await page.getByRole('link', { name: 'Open the report' }).click();
    await expect(page).toHaveURL(new RegExp(`/report/${wallet}$`));
    await expect(page.getByRole('heading', { name: 'Findings', exact: true })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Direct transfers with an exchange' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'How the score was built' })).toBeVisible();
    expect(page.url()).not.toContain(encodeURIComponent(email));

    const link = await checkMail(page, email, 'js');
    await page.goto(link);
    await expect(page.locator('h1')).toContainText(wallet);
    expect(errors, 'console errors').toEqual([]);
  });

  test('invalid input is refused beside the fields without a reload', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await requestReport(page, 'not-a-wallet-0OIl', 'nobody');
    await expect(page.locator('#wallet-error')).toContainText("can't appear in a Solana address");
    await expect(page.locator('#email-error')).toContainText("doesn't look like an email");
    await expect(page).toHaveURL(/\/$/);
    await screenshotAtWidths(page, 'home-errors-js');
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a plain form post lands on the job page, which refreshes itself until the report is ready', async ({ page }) => {
    const wallet = wallets().careful;
    const email = freshEmail('nojs-user');
    await page.goto('/');
    await requestReport(page, wallet, email);
    await expect(page).toHaveURL(/\/jobs\/[1-9A-HJ-NP-Za-km-z]{16,24}$/);
    await expect(page.locator('body')).not.toContainText(email);
    await screenshot(page, 'job-nojs');
    // The page reloads itself (noscript meta refresh) until the job is done.
    await expect(page.getByRole('link', { name: 'Open the report' })).toBeVisible({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Open the report' }).click();
    await expect(page).toHaveURL(new RegExp(`/report/${wallet}$`));
    await expect(page.getByRole('heading', { name: 'Findings', exact: true })).toBeVisible();

    // The emailed link opens the same report.
    const link = await checkMail(page, email, 'nojs');
    await page.goto(link);
    await expect(page.locator('h1')).toContainText(wallet);
  });

  test('invalid input comes back with messages beside the fields', async ({ page }) => {
    await page.goto('/');
    await requestReport(page, '  tooshort  ', 'a@b.io, c@d.io');
    await expect(page.locator('#wallet-error')).toContainText('at least 32 characters');
    await expect(page.locator('#email-error')).toContainText('Enter one email address only');
    await expect(page.locator('#wallet')).toHaveValue('tooshort');
    await screenshotAtWidths(page, 'home-errors-nojs');
  });
});
