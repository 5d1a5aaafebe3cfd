import { expect, Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OUTBOX, SCENARIOS, SCREENS } from '../playwright.config';

/** The demo wallets the mock RPC serves, by scenario name. */
export function wallets(): Record<string, string> {
  return JSON.parse(fs.readFileSync(SCENARIOS, 'utf8'));
}

/** A full-page screenshot kept as a test artifact. */
export async function screenshot(page: Page, name: string) {
  fs.mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENS, `${name}.png`), fullPage: true });
}

/** The report link of the newest mail in the file outbox addressed to `to`. */
export async function mailedReportLink(to: string): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(() => {
      if (!fs.existsSync(OUTBOX)) return undefined;
      const files = fs.readdirSync(OUTBOX).filter((f) => f.endsWith('.eml'));
      for (const file of files) {
        const raw = fs.readFileSync(path.join(OUTBOX, file), 'utf8');
        if (!raw.includes(`To: ${to}`)) continue;
        const match = raw.match(/http:\/\/127\.0\.0\.1:\d+\/report\/[1-9A-HJ-NP-Za-km-z]{32,44}/);
        if (match) link = match[0];
      }
      return link;
    }, { message: `a mail to ${to} with a report link`, timeout: 30_000 })
    .toBeTruthy();
  return link!;
}

/** Fills and submits the report form. */
export async function requestReport(page: Page, wallet: string, email: string) {
  await page.getByLabel('Solana wallet address').fill(wallet);
  await page.getByLabel('Email for the report link').fill(email);
  await page.getByRole('button', { name: 'Analyse my wallet' }).click();
}
