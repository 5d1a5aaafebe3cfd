import { test as base, expect, APIRequestContext, BrowserContext, Page, TestInfo } from '@playwright/test';
import { createHash } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OUTBOX, SCENARIOS, SCREENS } from '../playwright.config';

/**
 * The header the end2end server takes the client's address from (it trusts it
 * from loopback, as behind a proxy: see playwright.config.ts).
 */
export const CLIENT_HEADER = 'X-Real-IP';

/**
 * The address this test's visitor comes from: one per test, hook and retry, in the
 * benchmarking range 198.18.0.0/15, so no test spends another's client allowance
 * (5 submissions, one back every 2 s) or progress streams, whatever order they run in.
 */
export function visitorAddress(info: TestInfo): string {
  const digest = createHash('sha256').update([info.file, ...info.titlePath, info.testId, info.retry].join('\u0000')).digest();
  return `198.${18 + (digest[0] & 1)}.${digest[1]}.${digest[2]}`;
}

/** Playwright's `test`, with every page and request of a test coming from that test's own visitor. */
export const test = base.extend({
  extraHTTPHeaders: async ({ extraHTTPHeaders }, use, info) => {
    await use({ ...extraHTTPHeaders, [CLIENT_HEADER]: visitorAddress(info) });
  },
});

/** The demo wallets the mock RPC serves, by scenario name. */
export function wallets(): Record<string, string> {
  return JSON.parse(fs.readFileSync(SCENARIOS, 'utf8'));
}

/** A full-page screenshot kept as a test artifact. */
export async function screenshot(page: Page, name: string) {
  fs.mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENS, `${name}.png`), fullPage: true });
}

export const WIDTHS = [1280, 390] as const;

/** Screenshots at every width: `NAME-1280.png`, `NAME-390.png`. */
export async function screenshotAtWidths(page: Page, name: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width > 800 ? 800 : 844 });
    await screenshot(page, `${name}-${width}`);
  }
}

/**
 * Fails on any serious or critical axe-core violation. axe runs as a script,
 * which a page without JavaScript cannot: then the same URL is scanned in a
 * page whose app scripts are blocked, which is the same server-rendered HTML.
 */
export async function expectAccessible(page: Page, what: string, javaScriptEnabled = true) {
  let scanned = page;
  let context: BrowserContext | undefined;
  if (!javaScriptEnabled) {
    const browser = page.context().browser()!;
    context = await browser.newContext({ viewport: page.viewportSize(), javaScriptEnabled: true });
    scanned = await context.newPage();
    await scanned.route(/\/pkg\//, (route) => route.abort());
    await scanned.goto(page.url());
  }
  const results = await new AxeBuilder({ page: scanned }).analyze();
  await context?.close();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
  expect(summary, `axe on ${what}`).toEqual([]);
}

/** Collects console errors and uncaught exceptions (hydration mismatches show up as these). */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** The page cannot be scrolled sideways at its current width. */
export async function expectNoSidewaysScroll(page: Page) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  expect(scroll, 'page width').toBeLessThanOrEqual(client);
}

/** Fills and submits the report form. */
export async function requestReport(page: Page, wallet: string, email: string) {
  await fillReportForm(page, wallet, email);
  await submitReportForm(page);
}

/** Types a wallet and an address into the home page's form without sending it. */
export async function fillReportForm(page: Page, wallet: string, email: string) {
  await page.getByLabel('Solana wallet address').fill(wallet);
  await page.getByLabel('Email for the report link').fill(email);
}

/** Sends the home page's form as its button does. */
export async function submitReportForm(page: Page) {
  await page.getByRole('button', { name: 'Analyse my wallet' }).click();
}

/** A unique address, so the per-address limits never get in the way. */
export function freshEmail(tag: string): string {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/**
 * Asks for a report over HTTP as a form post would, and waits until the worker is done. Returns the job id.
 * `wallet` may be an address or a .sol name; `refresh` asks for a fresh analysis.
 */
export async function reportFor(
  request: APIRequestContext,
  wallet: string,
  { tag = 'setup', refresh = false }: { tag?: string; refresh?: boolean } = {},
): Promise<string> {
  const response = await request.post('/api/request-report', {
    form: { wallet, email: freshEmail(tag), ...(refresh ? { refresh: '1' } : {}) },
    headers: { Accept: 'text/html' },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(303);
  const id = response.headers()['location'].replace('/jobs/', '');
  await expect
    .poll(async () => (await (await request.get(`/api/jobs/${id}`)).json()).status, { timeout: 30_000 })
    .toBe('succeeded');
  return id;
}

/** One mail from the file outbox, its parts decoded. */
export interface Mail {
  raw: string;
  text: string;
  html: string;
}

function decodePart(part: string): { type: string; body: string } {
  const split = part.indexOf('\r\n\r\n') >= 0 ? part.indexOf('\r\n\r\n') : part.indexOf('\n\n');
  const head = part.slice(0, split);
  let body = part.slice(split).replace(/^\s+/, '');
  const type = /Content-Type:\s*([^;\s]+)/i.exec(head)?.[1] ?? '';
  const encoding = /Content-Transfer-Encoding:\s*(\S+)/i.exec(head)?.[1]?.toLowerCase();
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    body = Buffer.from(bytes, 'latin1').toString('utf8');
  } else if (encoding === 'base64') {
    body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return { type: type.toLowerCase(), body };
}

/** The newest mail in the file outbox addressed to `to`. */
export async function mailTo(to: string): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(() => {
      if (!fs.existsSync(OUTBOX)) return undefined;
      for (const file of fs.readdirSync(OUTBOX).filter((f) => f.endsWith('.eml'))) {
        const raw = fs.readFileSync(path.join(OUTBOX, file), 'utf8');
        if (!raw.includes(`To: ${to}`)) continue;
        const boundary = /boundary="([^"]+)"/.exec(raw)?.[1];
        if (!boundary) continue;
        const parts = raw.split(`--${boundary}`).slice(1, -1).map(decodePart);
        found = {
          raw,
          text: parts.find((p) => p.type === 'text/plain')?.body ?? '',
          html: parts.find((p) => p.type === 'text/html')?.body ?? '',
        };
      }
      return found;
    }, { message: `a mail to ${to}`, timeout: 30_000 })
    .toBeTruthy();
  return found!;
}

/** The report link of the newest mail addressed to `to`. */
export async function mailedReportLink(to: string): Promise<string> {
  const mail = await mailTo(to);
  const match = mail.text.match(/http:\/\/127\.0\.0\.1:\d+\/report\/[1-9A-HJ-NP-Za-km-z]{32,44}/);
  expect(match, 'a report link in the mail').toBeTruthy();
  return match![0];
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}
