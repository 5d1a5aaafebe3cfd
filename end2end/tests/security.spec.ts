import { expect, Page, ConsoleMessage } from '@playwright/test';
import { fillReportForm, requestReport, screenshot, submitReportForm, test, wallets } from './support';

// The defences as a visitor's browser meets them: the final headers and
// Content-Security-Policy must not break a thing (no violation in the
// console, the form works with and without JavaScript), and every refusal
// says in the form when to try again.

/** Collects every console line and page error that mentions the CSP. */
function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  const note = (text: string) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect|evaluate|frame)/i.test(text)) {
      violations.push(text);
    }
  };
  page.on('console', (msg: ConsoleMessage) => note(msg.text()));
  page.on('pageerror', (error) => note(String(error)));
  return violations;
}

test.describe('with JavaScript', () => {
  test('the hydrated site runs under its CSP with no violation, from the form to the report', async ({ page }) => {
    const violations = watchCsp(page);
    const response = await page.goto('/');
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self' 'nonce-");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response!.headers()['referrer-policy']).toBe('no-referrer');
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);

    await requestReport(page, wallets().careful, 'csp-js@example.com');
    await expect(page).toHaveURL(/\/jobs\//);
    await expect(page.getByRole('link', { name: 'Open the report' })).toBeVisible({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Open the report' }).click();
    await expect(page.getByRole('heading', { name: 'Findings', exact: true })).toBeVisible();
    await page.goto('/methodology');
    await page.goto('/privacy');
    expect(violations).toEqual([]);
  });

  test('asking twice for the same wallet and address is refused in the form, saying when to ask again', async ({ page }) => {
    const violations = watchCsp(page);
    await page.goto('/');
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await requestReport(page, wallets().empty, 'twice-js@example.com');
    await expect(page).toHaveURL(/\/jobs\//);
    await page.goto('/');
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/request-report'));
    await requestReport(page, wallets().empty, 'twice-js@example.com');
    const answer = await refused;
    expect(answer.status()).toBe(429);
    expect(Number(answer.headers()['retry-after'])).toBeGreaterThan(3600);
    await expect(page.locator('.form-error')).toContainText('You can ask again in 24 hours');
    await expect(page).toHaveURL(/\/$/);
    await screenshot(page, 'refused-pair-js');
    expect(violations).toEqual([]);
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a plain form post still works under no-referrer and the final headers', async ({ page }) => {
    const violations = watchCsp(page);
    await page.goto('/');
    await requestReport(page, wallets().exposed, 'csp-nojs@example.com');
    // Chromium sends Origin: null here (no-referrer); Sec-Fetch-Site says it is ours.
    await expect(page).toHaveURL(/\/jobs\/[1-9A-HJ-NP-Za-km-z]{16,24}$/);
    expect(violations).toEqual([]);
  });

  test('asking twice for the same wallet and address comes back with the message and 429', async ({ page }) => {
    await page.goto('/');
    await requestReport(page, wallets().empty, 'twice-nojs@example.com');
    await expect(page).toHaveURL(/\/jobs\//);
    await page.goto('/');
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/request-report'));
    await requestReport(page, wallets().empty, 'twice-nojs@example.com');
    expect((await refused).status()).toBe(429);
    await expect(page.locator('.form-error')).toContainText('You can ask again in 24 hours');
    await expect(page.locator('#wallet')).toHaveValue(wallets().empty);
    await screenshot(page, 'refused-pair-nojs');
  });
});

/**
 * Spends this test's client allowance (burst 5, one request back every 2 s) with quick invalid
 * posts, so the next request is refused.
 *
 * Posting until the first refusal is not enough: the limiter refills continuously, so the refusal
 * can leave a token almost complete, and the form sent a moment later gets through (a CI run saw
 * exactly that). Waiting for that token and spending it puts the next one a whole 2 s away.
 */
async function exhaustClientLimit(page: Page) {
  const post = async () =>
    (
      await page.request.post('/api/request-report', {
        form: { wallet: 'x', email: 'y' },
        headers: { Accept: 'application/json' },
        failOnStatusCode: false,
      })
    ).status();
  let status = 0;
  for (let i = 0; i < 20 && status !== 429; i++) status = await post();
  expect(status, 'the client limit refuses once the burst is spent').toBe(429);
  for (let i = 0; i < 100 && status === 429; i++) {
    await page.waitForTimeout(50);
    status = await post();
  }
  expect(status, 'a token comes back within the refill interval: the invalid post is answered 422').toBe(422);
}

test.describe('too many quick submissions', () => {
  test('with JavaScript, the form says to try again in a few seconds', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await fillReportForm(page, wallets().careful, 'flood-js@example.com');
    await exhaustClientLimit(page);
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/request-report'));
    await submitReportForm(page);
    const answer = await refused;
    expect(answer.status()).toBe(429);
    expect(answer.headers()['ratelimit-policy']).toBe('"client";q=5;w=10');
    await expect(page.locator('.form-error')).toContainText('Too many requests from your connection');
    await expect(page.locator('.form-error')).toContainText('try again in a few seconds');
    await screenshot(page, 'refused-flood-js');
  });

  test.describe('without JavaScript', () => {
    test.use({ javaScriptEnabled: false });

    test('the form comes back with the same message and a 429', async ({ page }) => {
      await page.goto('/');
      await fillReportForm(page, wallets().careful, 'flood-nojs@example.com');
      await exhaustClientLimit(page);
      const refused = page.waitForResponse((r) => r.url().endsWith('/api/request-report'));
      await submitReportForm(page);
      const answer = await refused;
      expect(answer.status()).toBe(429);
      expect(Number(answer.headers()['retry-after'])).toBeGreaterThanOrEqual(1);
      await expect(page.locator('.form-error')).toContainText('Too many requests from your connection');
      await screenshot(page, 'refused-flood-nojs');
      });
  });
});
