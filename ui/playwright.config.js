// Browser tests of the Peers page: Debian's Chromium (never a downloaded browser), one worker (the tests share the
// two clusters that global-setup.js starts and go through the workflow in order).

import { defineConfig } from '@playwright/test';
import { execSync } from 'node:child_process';

function chromiumPath() {
  if (process.env.CHROMIUM_PATH) {
    return process.env.CHROMIUM_PATH;
  }
  try {
    return execSync('command -v chromium || command -v chromium-browser', { shell: '/bin/sh', encoding: 'utf8' }).trim();
  } catch {
    throw new Error('No chromium on the PATH: apt-get install -y chromium (or set CHROMIUM_PATH)');
  }
}

export default defineConfig({
  testDir: './tests',
  globalSetup: './tests/global-setup.js',
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  outputDir: 'test-results/artifacts',
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: chromiumPath(),
      // Root in a container needs --no-sandbox; the rest keeps Chromium off the (closed) network and quiet.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    permissions: ['clipboard-read', 'clipboard-write'],
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
