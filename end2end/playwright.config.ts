import { defineConfig } from '@playwright/test';
import * as path from 'node:path';

// The real Kimiko server against the demo mock RPC, with mail written to a
// file outbox the tests read. Binaries come from scripts/test.sh's build.
const bin = process.env.KIMIKO_BIN_DIR ?? path.resolve(__dirname, '../target/debug');
const data = path.resolve(__dirname, '.data');
// Overridable so two checkouts can run the suite side by side.
export const PORT = Number(process.env.KIMIKO_E2E_PORT ?? 3107);
export const RPC_PORT = Number(process.env.KIMIKO_E2E_RPC_PORT ?? 18899);
export const OUTBOX = path.join(data, 'outbox');
export const SCENARIOS = path.join(data, 'scenarios.json');
export const SCREENS = path.resolve(__dirname, 'test-results/screens');

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results/runs',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // One server, one SQLite file, two cores: run the specs one at a time.
  workers: 1,
  fullyParallel: false,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: `${bin}/examples/mock_rpc 127.0.0.1:${RPC_PORT} ${SCENARIOS}`,
      port: RPC_PORT,
      reuseExistingServer: false,
      stdout: 'pipe',
    },
    {
      command: `${bin}/kimiko serve`,
      url: `http://127.0.0.1:${PORT}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      env: {
        LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
        LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? path.resolve(__dirname, '../target/site'),
        KIMIKO_PUBLIC_URL: `http://127.0.0.1:${PORT}`,
        KIMIKO_DATABASE_URL: `sqlite://${data}/kimiko.db`,
        KIMIKO_OUTBOX_DIR: OUTBOX,
        KIMIKO_RPC_URLS: `http://127.0.0.1:${RPC_PORT}`,
        KIMIKO_MAIL_FROM: 'Kimiko <reports@kimiko.test>',
        KIMIKO_SECRET: 'end2end-secret-end2end-secret-end2end-0001',
        KIMIKO_EMAIL_DAILY_LIMIT: '100',
        // As behind a proxy on the same host: the client's address comes in
        // X-Real-IP, trusted from loopback only (the default), and each test
        // sends its own (support.ts, `visitorAddress`).
        KIMIKO_CLIENT_IP_HEADER: 'X-Real-IP',
        RUST_LOG: 'info',
      },
    },
  ],
});
