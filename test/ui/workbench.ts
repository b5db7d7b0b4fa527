// The workbench as an engineer sees it: code-server with the packaged VSIX installed, in headless Chromium at
// 1440×900, a fresh profile per test file, a numbered screenshot per step in test-results/screenshots/, and the
// README's screenshots, clipped, in test-results/screenshots/readme/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from '../harness/browser';
import { freshProfile, installExtension, repoRoot, startCodeServer, workbenchUrl, type CodeServer } from '../harness/codeServer';
import { ensureTlsMaterial } from '../simulators/tls';

export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');
/** The README's screenshots, clipped to what each shows; docs/screenshots/ holds copies of them. */
export const readmeScreenshotDir = path.join(screenshotDir, 'readme');
/** VS Code's window as an analyst has it on a laptop: the side bar opens at its default width (300 px) here. */
export const VIEWPORT = { width: 1440, height: 900 };
/** Space kept around a README screenshot's region, in CSS pixels. */
const CLIP_MARGIN = 6;

// The row reader runs in the page; the tests compile without the DOM library, so these name the few browser parts
// it uses (module-scoped declarations: nothing global changes).
interface PageNode {
  textContent: string | null;
}
interface PageElement extends PageNode {
  scrollWidth: number;
  clientWidth: number;
  getBoundingClientRect(): { right: number };
  querySelector(selector: string): PageElement | null;
  getAttribute(name: string): string | null;
}
interface PageRange {
  setStart(node: PageNode, offset: number): void;
  setEnd(node: PageNode, offset: number): void;
  selectNodeContents(node: PageNode): void;
  getBoundingClientRect(): { right: number };
  getClientRects(): Iterable<{ top: number; height: number }>;
}
declare const document: {
  createRange(): PageRange;
  createTreeWalker(root: PageElement, whatToShow: number): { nextNode(): PageNode | null };
  createElement(tag: 'canvas'): { getContext(kind: '2d'): { font: string; measureText(text: string): { width: number } } };
};
declare function getComputedStyle(element: PageElement): { font: string };

/** A tree row as rendered: its texts, and the part of each that is on screen (not cut off). */
export interface VisibleRow {
  name: string;
  label: string;
  visibleLabel: string;
  description: string;
  visibleDescription: string;
}

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
    const page = await browser.newPage({ viewport: VIEWPORT });
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

  /**
   * Right after a menu opens, a click may be ignored: hover, pause, then click; `screenshot` is taken and
   * `whileHovering` runs (e.g. a README screenshot) while hovering.
   */
  async clickMenuItem(label: string, screenshot?: string, whileHovering?: () => Promise<void>): Promise<void> {
    const item = this.page.locator('.context-view').getByRole('menuitem', { name: label, exact: true });
    await item.hover();
    await this.page.waitForTimeout(300);
    if (screenshot) {
      await this.screenshot(screenshot, { keepHover: true });
    }
    await whileHovering?.();
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

  /** A row of the side bar's tree, by the start of its accessible name ("Isolate, Pending, ws-fin-…"). */
  treeItem(nameStart: string): Locator {
    return this.page.locator(`.part.sidebar [role="treeitem"][aria-label^=${JSON.stringify(nameStart)}]`);
  }

  /**
   * What each row of the side bar's tree shows at level `level`, read from the rendered elements: the label and the
   * description, and of each the part that is on screen — the characters left of the label container's edge (less
   * the ellipsis the container draws when its text overflows). `name` is the row's accessible name.
   */
  async visibleRows(level: number): Promise<VisibleRow[]> {
    return this.page.locator(`.part.sidebar [role="treeitem"][aria-level="${level}"]`).evaluateAll((rows: PageElement[]) => rows.map((row) => {
      const container = row.querySelector('.monaco-icon-label-container')!;
      const measure = document.createElement('canvas').getContext('2d');
      measure.font = getComputedStyle(container).font;
      const cut = container.scrollWidth > container.clientWidth;
      const edge = container.getBoundingClientRect().right - (cut ? measure.measureText('…').width : 0);
      /** The text of `element` and its start up to the first character that ends beyond the edge. */
      const shown = (element: PageElement | null): { text: string; visible: string } => {
        let text = '';
        let visible = '';
        if (!element) {
          return { text, visible };
        }
        // 4 = NodeFilter.SHOW_TEXT (a literal: the function is serialised into the page without this module's names).
        const walker = document.createTreeWalker(element, 4);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const chars = node.textContent ?? '';
          for (let i = 0; i < chars.length; i++) {
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            if (visible.length === text.length && range.getBoundingClientRect().right <= edge + 0.5) {
              visible += chars[i];
            }
            text += chars[i];
          }
        }
        return { text, visible };
      };
      const label = shown(row.querySelector('.label-name'));
      const description = shown(row.querySelector('.label-description'));
      return { name: row.getAttribute('aria-label') ?? '', label: label.text, visibleLabel: label.visible,
        description: description.text, visibleDescription: description.visible };
    }));
  }

  /** How many lines the text of `locator` takes on screen: the distinct tops of its line boxes. */
  async lineCount(locator: Locator): Promise<number> {
    return locator.evaluate((element: PageElement) => {
      const range = document.createRange();
      range.selectNodeContents(element);
      return new Set(Array.from(range.getClientRects()).filter((box) => box.height > 0).map((box) => Math.round(box.top))).size;
    });
  }

  /**
   * Saves test-results/screenshots/<workbench name>-<NN>-<step>.png, with CSS animations finished (a toast or menu
   * that has just appeared is otherwise still half transparent). The pointer moves off the page content and a hover
   * that is still up is waited away, unless `keepHover` (the step is about that hover).
   */
  async screenshot(step: string, options: { keepHover?: boolean } = {}): Promise<void> {
    fs.mkdirSync(screenshotDir, { recursive: true });
    await this.settle(options);
    this.screenshots++;
    const file = `${this.name}-${String(this.screenshots).padStart(2, '0')}-${step}.png`;
    await this.page.screenshot({ path: path.join(screenshotDir, file), animations: 'disabled' });
  }

  /**
   * Saves test-results/screenshots/readme/<name>.png, clipped to the smallest box around `regions` (the side bar, a
   * notification, the palette…) at the page's scale: a README image that shows its point and stays small in the VSIX.
   */
  async readmeScreenshot(name: string, regions: Locator[], options: { keepHover?: boolean } = {}): Promise<void> {
    fs.mkdirSync(readmeScreenshotDir, { recursive: true });
    await this.settle(options);
    const boxes = await Promise.all(regions.map(async (region) => {
      const box = await region.boundingBox();
      assert.ok(box, `${region} is visible for the README screenshot ${name}`);
      return box;
    }));
    const left = Math.max(0, Math.min(...boxes.map((b) => b.x)) - CLIP_MARGIN);
    const top = Math.max(0, Math.min(...boxes.map((b) => b.y)) - CLIP_MARGIN);
    const right = Math.min(VIEWPORT.width, Math.max(...boxes.map((b) => b.x + b.width)) + CLIP_MARGIN);
    const bottom = Math.min(VIEWPORT.height, Math.max(...boxes.map((b) => b.y + b.height)) + CLIP_MARGIN);
    const clip = { x: Math.floor(left), y: Math.floor(top), width: Math.ceil(right - left), height: Math.ceil(bottom - top) };
    await this.page.screenshot({ path: path.join(readmeScreenshotDir, `${name}.png`), animations: 'disabled', clip });
  }

  /** The pointer off the page content and a hover that is still up waited away, unless `keepHover`. */
  private async settle(options: { keepHover?: boolean }): Promise<void> {
    if (!options.keepHover) {
      // The editor area's middle: nothing there shows a hover (the status bar's items, where the pointer once
      // rested, do — and a hover left open covers what the next step clicks).
      const rest = { x: VIEWPORT.width / 2, y: Math.round(VIEWPORT.height * 0.6) };
      await this.page.mouse.move(rest.x, rest.y);
      const hover = this.page.locator('.monaco-hover:visible');
      const gone = () => hover.first().waitFor({ state: 'detached', timeout: 1000 }).then(() => true, () => false);
      if (await gone()) {
        return;
      }
      // VS Code takes a hover down when the pointer leaves its target or the hover. A hover that came up for the
      // focus, or whose target changed under a still pointer, never sees that: the pointer visits the hover and the
      // points around it (its target is beside one of its edges) and comes back each time.
      for (const point of await this.aroundHover(hover.first())) {
        await this.page.mouse.move(point.x, point.y, { steps: 2 });
        await this.page.mouse.move(rest.x, rest.y, { steps: 2 });
        if (await gone()) {
          return;
        }
      }
      await hover.first().waitFor({ state: 'detached' });
    }
  }

  /** The middle of `hover` and points 4 px outside its edges, at their middle and near their start; none if gone. */
  private async aroundHover(hover: Locator): Promise<Array<{ x: number; y: number }>> {
    const box = await hover.boundingBox({ timeout: 1000 }).catch(() => null);
    if (!box) {
      return [];
    }
    const middle = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const start = { x: box.x + 8, y: box.y + 8 };
    const above = box.y - 4;
    const below = box.y + box.height + 4;
    const left = box.x - 4;
    const right = box.x + box.width + 4;
    return [middle, { x: start.x, y: above }, { x: middle.x, y: above }, { x: start.x, y: below },
      { x: middle.x, y: below }, { x: left, y: start.y }, { x: left, y: middle.y }, { x: right, y: start.y },
      { x: right, y: middle.y }];
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
