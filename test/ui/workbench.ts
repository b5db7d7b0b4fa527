// The workbench as an engineer sees it: code-server with the packaged VSIX installed, in headless Chromium, a
// fresh profile per test file, and a screenshot per step in test-results/screenshots/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../harness/browser';
import { freshProfile, installExtension, repoRoot, startCodeServer, workbenchUrl, type CodeServer } from '../harness/codeServer';
import { ensureTlsMaterial } from '../simulators/tls';

export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

export class Workbench {
  private constructor(readonly page: Page, private readonly browser: Browser, private readonly server: CodeServer) {}

  /** `name` is the profile's folder under .test-cache/ui; `settings` go into the user settings. */
  static async open(name: string, vsix: string, settings: Record<string, unknown> = {}): Promise<Workbench> {
    const profile = freshProfile(path.join(repoRoot, '.test-cache', 'ui', name), settings);
    installExtension(vsix, profile);
    const server = await startCodeServer(profile, {
      folder: profile.workspace,
      // The extension host inherits it: the extension then trusts the simulators' CA.
      env: { NODE_EXTRA_CA_CERTS: ensureTlsMaterial().caPath },
    });
    const browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(20_000);
    await page.goto(workbenchUrl(server, profile.workspace));
    await page.locator('.part.activitybar').waitFor();
    return new Workbench(page, browser, server);
  }

  /** Clicks an activity bar entry by its label, e.g. "Defender". */
  async openActivity(label: string): Promise<void> {
    await this.page.locator(`.part.activitybar a.action-label[aria-label="${label}"]`).click();
  }

  /** Right after a menu opens, a click may be ignored: hover, pause, then click. */
  async clickMenuItem(label: string): Promise<void> {
    const item = this.page.locator('.context-view').getByRole('menuitem', { name: label, exact: true });
    await item.hover();
    await this.page.waitForTimeout(300);
    await item.click();
  }

  /** Saves test-results/screenshots/<name>.png, with the pointer moved off any hover. */
  async screenshot(name: string): Promise<void> {
    fs.mkdirSync(screenshotDir, { recursive: true });
    await this.page.mouse.move(700, 780);
    await this.page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.server.stop();
  }
}
