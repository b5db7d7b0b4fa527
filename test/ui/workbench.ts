// The workbench as an engineer sees it: code-server with the packaged VSIX installed, in headless Chromium, a
// fresh profile per test file, and a numbered screenshot per step in test-results/screenshots/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../harness/browser';
import { freshProfile, installExtension, repoRoot, startCodeServer, workbenchUrl, type CodeServer } from '../harness/codeServer';
import { ensureTlsMaterial } from '../simulators/tls';

export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

export class Workbench {
  private screenshots = 0;

  private constructor(
    readonly page: Page,
    private readonly name: string,
    private readonly browser: Browser,
    private readonly server: CodeServer,
  ) {}

  /**
   * `name` is the profile's folder under .test-cache/ui; `settings` go into the user settings. With `workspaceTrust`
   * VS Code asks whether to trust the (new, so unknown) workspace folder, as it does for a user; default: trusted.
   */
  static async open(name: string, vsix: string, settings: Record<string, unknown> = {},
    options: { workspaceTrust?: boolean } = {}): Promise<Workbench> {
    const profile = freshProfile(path.join(repoRoot, '.test-cache', 'ui', name), settings);
    installExtension(vsix, profile);
    const server = await startCodeServer(profile, {
      folder: profile.workspace,
      workspaceTrust: options.workspaceTrust,
      // The extension host inherits it: the extension then trusts the simulators' CA.
      env: { NODE_EXTRA_CA_CERTS: ensureTlsMaterial().caPath },
    });
    const browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(20_000);
    await page.goto(workbenchUrl(server, profile.workspace));
    const workbench = new Workbench(page, name, browser, server);
    await workbench.restored();
    return workbench;
  }

  /** Reloads the page, as an engineer does with F5 in the browser. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.restored();
  }

  /** Shows the container of an activity bar entry by its label, e.g. "Defender". */
  async openActivity(label: string): Promise<void> {
    // A badge adds its text to the entry's label ("Defender - 14 cancellable machine actions") and covers the icon's
    // centre, so the click goes to the whole entry.
    const entry = this.page.locator(`.part.activitybar li.action-item:has(> a.action-label:is([aria-label="${label}"], [aria-label^="${label} - "]))`);
    const title = this.page.locator('.part.sidebar .composite.title h2', { hasText: new RegExp(`^${label}\\b`, 'i') });
    // A click on the active entry hides the side bar, and the workbench may still be restoring its last container
    // (an extension's one shows once the extension host is up): click while it is not showing, then look again.
    for (let attempt = 1; !(await title.isVisible()); attempt++) {
      if (attempt > 5) {
        throw new Error(`the ${label} container did not show after ${attempt - 1} clicks on its activity bar entry`);
      }
      await entry.click();
      await title.waitFor({ timeout: 2000 }).catch(() => undefined);
    }
  }

  /** The notification toast that shows `text` (notifications also stay in the Notifications center). */
  toast(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  }

  /** Opens the … menu of the side bar's view (a container with one view shows the view's actions in its title). */
  async openViewMenu(): Promise<void> {
    await this.page.locator('.part.sidebar .composite.title a[aria-label="Views and More Actions..."]').click();
  }

  /** Right after a menu opens, a click may be ignored: hover, pause, then click; `screenshot` is taken while hovering. */
  async clickMenuItem(label: string, screenshot?: string): Promise<void> {
    const item = this.page.locator('.context-view').getByRole('menuitem', { name: label, exact: true });
    await item.hover();
    await this.page.waitForTimeout(300);
    if (screenshot) {
      await this.screenshot(screenshot, { keepHover: true });
    }
    await item.click();
  }

  /** Runs a command from the palette (F1) by its full title, e.g. "Defender: Refresh Machine Actions". */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.quickInput.locator('.quick-input-box input').fill(`>${title}`);
    await this.quickInput.getByRole('option', { name: title }).first().waitFor();
    await this.page.keyboard.press('Enter');
  }

  /** The quick input (palette, quick pick, input box) while it is open. */
  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
    await this.page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached' });
  }

  /** A row of the side bar's tree, by the start of its accessible name ("Isolate (Full), Pending, ws-fin-…"). */
  treeItem(nameStart: string): Locator {
    return this.page.locator(`.part.sidebar [role="treeitem"][aria-label^=${JSON.stringify(nameStart)}]`);
  }

  /** Drags the side bar's edge so that tree rows show their full label and description in screenshots. */
  async widenSideBar(width: number): Promise<void> {
    const box = await this.page.locator('.part.sidebar').boundingBox();
    if (!box) {
      throw new Error('the side bar is not visible');
    }
    const edge = box.x + box.width;
    await this.page.mouse.move(edge, box.y + box.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + width, box.y + box.height / 2, { steps: 5 });
    await this.page.mouse.up();
  }

  /**
   * Saves test-results/screenshots/<workbench name>-<NN>-<step>.png, with CSS animations finished (a toast or menu
   * that has just appeared is otherwise still half transparent). The pointer moves off the page content and a hover
   * that is still up is waited away, unless `keepHover` (the step is about that hover).
   */
  async screenshot(step: string, options: { keepHover?: boolean } = {}): Promise<void> {
    fs.mkdirSync(screenshotDir, { recursive: true });
    if (!options.keepHover) {
      await this.page.mouse.move(700, 780);
      await this.page.locator('.monaco-hover:visible').waitFor({ state: 'detached' });
    }
    this.screenshots++;
    const file = `${this.name}-${String(this.screenshots).padStart(2, '0')}-${step}.png`;
    await this.page.screenshot({ path: path.join(screenshotDir, file), animations: 'disabled' });
  }

  /** Until the workbench has restored its side bar: a click before that may be undone by the restore. */
  private async restored(): Promise<void> {
    await this.page.locator('.part.sidebar .composite.title').waitFor();
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.server.stop();
  }
}
