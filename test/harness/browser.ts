// Headless Debian Chromium driven by playwright-core; Playwright never downloads a browser here.
import { chromium, type Browser } from 'playwright-core';

/** Debian's package `chromium`, which scripts/host/ensureHost.mjs installs. */
const CHROMIUM_PATH = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}
