import { expect } from '@playwright/test';
import { expectAccessible, freshEmail, reportFor, requestReport, screenshot, test, wallets } from './support';

// A .sol name in the form, with JavaScript and without: a known name is
// analysed as its wallet (the mock RPC registers `kimiko-demo.sol` to the
// `exposed` wallet), an unknown or malformed one is refused beside the
// field; and a report link by name lands on the wallet's page.

const NAME = 'kimiko-demo.sol';

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'js' : 'nojs';

  test.describe(javaScriptEnabled ? 'with JavaScript' : 'without JavaScript', () => {
    test.use({ javaScriptEnabled });

    test('a .sol name is analysed as its wallet and the report says which name', async ({ page }) => {
      const wallet = wallets().exposed;
      await page.goto('/');
      if (javaScriptEnabled) await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
      // Capitals are fine: names are registered lowercase.
      await requestReport(page, 'Kimiko-Demo.sol', freshEmail(`name-${mode}`));
      await expect(page).toHaveURL(/\/jobs\/[1-9A-HJ-NP-Za-km-z]{16,24}$/);
      await expect(page.getByText(wallet)).toBeVisible();
      await expect(page.getByRole('link', { name: 'Open the report' })).toBeVisible({ timeout: 30_000 });
      await page.getByRole('link', { name: 'Open the report' }).click();
      await expect(page).toHaveURL(new RegExp(`/report/${wallet}$`));
      await expect(page.locator('.reached-via')).toContainText(`Reached through the name ${NAME}`);
      await screenshot(page, `report-by-name-${mode}`);
    });

    test('an unknown name and a malformed one are refused beside the field', async ({ page }) => {
      await page.goto('/');
      if (javaScriptEnabled) await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
      await requestReport(page, 'nobody-registered-this.sol', freshEmail(`unknown-${mode}`));
      await expect(page.locator('#wallet-error')).toContainText('nobody-registered-this.sol is not a registered .sol name.');
      await expect(page).toHaveURL(/\/(api\/request-report)?$/);
      await screenshot(page, `home-unknown-name-${mode}`);

      await page.goto('/');
      if (javaScriptEnabled) await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
      // A Cyrillic "о" in place of the Latin one.
      await requestReport(page, 'kimiko-dem\u043e.sol', freshEmail(`malformed-${mode}`));
      await expect(page.locator('#wallet-error')).toContainText('is not a plain ASCII letter or digit');
      await expect(page.locator('#wallet-error')).toContainText('U+043E');
    });
  });
}

test('a report link by name redirects to the wallet’s page', async ({ page, request }) => {
  const wallet = wallets().exposed;
  // Make sure a report exists (the form tests may run in any order).
  await reportFor(request, NAME, { tag: 'name-link' });
  await page.goto(`/report/${NAME}`);
  await expect(page).toHaveURL(new RegExp(`/report/${wallet}$`));
  await expect(page.locator('h1')).toContainText(wallet);
  await page.goto('/report/nobody-registered-this.sol');
  await expect(page.getByRole('heading', { name: 'No wallet for this name' })).toBeVisible();
  await expect(page.locator('body')).toContainText('nobody-registered-this.sol is not a registered .sol name.');
});

test('a fresh analysis shows what changed since the last report, accessibly with and without JavaScript', async ({ page, request }) => {
  const wallet = wallets().careful;
  for (const n of [1, 2]) await reportFor(request, wallet, { tag: `changes-${n}`, refresh: true });
  await page.goto(`/report/${wallet}`);
  await expect(page.getByRole('heading', { name: 'Since the last report' })).toBeVisible();
  await expect(page.locator('.changes')).toContainText('Nothing changed: the same findings and the same score.');
  await expectAccessible(page, 'report with changes');
  await expectAccessible(page, 'report with changes, no JavaScript', false);
  await screenshot(page, 'report-changes');
});
