// The VS Code side of sign-in: builds MsalAuth from the settings, SecretStorage and globalState, keeps the context keys
// mdeActions.configured and mdeActions.signedIn true to the state, and is the Session the view and commands use:
// the account, and a Defender client with its tokens.
import * as vscode from 'vscode';
import { MsalAuth } from '../auth/msalAuth';
import { MsalQueue } from '../auth/msalQueue';
import { signInMethodFor } from '../auth/signInMethod';
import type { AccountSummary, AuthUi, DeviceCodePrompt } from '../auth/types';
import { APPLICATION_SCOPED_SETTINGS, type Cloud, type Endpoints, type ExtensionSettings, isSettingsError, resolveEndpoints, type SettingsError } from '../config';
import type { DefenderClient } from '../defender/client';
import type { RateStateStore } from '../defender/rateLimiter';
import type { RateBudget } from '../model/autoRefresh';
import { ClientCache } from '../model/clientCache';
import type { Session } from '../model/session';
import { showNotification, withNotificationProgress } from '../notify';
import { deviceCodeMessage } from './signInText';
import { Commands, ContextKeys } from '../constants';
import type { Logger } from '../shared/logger';
import type { SettingsSource } from '../settings';
import { errorDetail, signInRequired } from '../shared/errors';
import { parseHttpsUrl } from '../shared/httpsUrl';

const COPY_AND_OPEN = 'Copy & Open';

/**
 * The VS Code side of sign-in and the Session of the view and commands: settings → MsalAuth, context keys, the
 * settings problem notice, tokens, and a Defender client per account. Fires onDidChange on any change of these.
 */
export class AuthController implements Session, vscode.Disposable {
  private readonly queue = new MsalQueue();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  // Both set by configure() in the constructor.
  private settings!: ExtensionSettings;
  private resolved!: Endpoints | SettingsError;
  private auth: MsalAuth | undefined;
  /** (clientId, authority, scope) of `auth`: a new MsalAuth only when one of them changes. */
  private authKey: string | undefined;
  private loading: Promise<void> = Promise.resolve();
  /** The MsalAuth whose cached account is still being read. */
  private restoringAuth: MsalAuth | undefined;

  /** The code the running device-code sign-in shows; Copy & Open acts on it, and on nothing once sign-in ended. */
  private waitingCode: DeviceCodePrompt | undefined;

  /** The one notification of a sign-in: progress with Cancel, and the device code with Copy & Open; gone when it ends. */
  private readonly ui: AuthUi = {
    openExternal: (url) => vscode.env.openExternal(vscode.Uri.parse(url, true)),
    withProgress: (title, task) => withNotificationProgress(title, { cancellable: true }, async (progress, signal) => {
      try {
        return await task(signal, (prompt) => {
          this.waitingCode = prompt;
          progress.report({ message: deviceCodeMessage(prompt), link: { title: COPY_AND_OPEN, command: Commands.copyDeviceCode } });
        });
      } finally {
        this.waitingCode = undefined;
      }
    }),
  };

  /** Fires when the account, the endpoints or whether sign-in is configured changed. */
  readonly onDidChange = this.changed.event;

  private readonly clients: ClientCache;

  /**
   * Follows `settings` (only the sign-in settings reconfigure it). `rateState` shares the rate budget with other
   * windows (a FileRateStateStore); without it, this window only.
   */
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Logger,
    private readonly settingsSource: SettingsSource,
    rateState?: RateStateStore,
  ) {
    this.clients = new ClientCache(this, log, rateState);
    this.disposables.push(settingsSource.onDidChange((change) => {
      if (APPLICATION_SCOPED_SETTINGS.some((key) => change.affects(key))) {
        this.configure();
      }
    }));
    this.configure();
  }

  /** Settings complete enough to sign in (mdeActions.configured). */
  get configured(): boolean {
    return this.auth !== undefined;
  }

  get account(): AccountSummary | undefined {
    return this.auth?.account;
  }

  /** Where tokens go; undefined while not configured. */
  get endpoints(): Endpoints | undefined {
    return isSettingsError(this.resolved) ? undefined : this.resolved;
  }

  /** A client for the signed-in account; undefined when signed out or not configured. */
  client(): DefenderClient | undefined {
    return this.clients.clientFor(this.account, this.endpoints?.apiBaseUrl);
  }

  /** The one rate budget of every client; undefined when signed out. */
  rateBudget(): RateBudget | undefined {
    return this.account ? this.clients.limiter : undefined;
  }

  /** The SecretStorage key of the current configuration's token cache; undefined while not configured. */
  get tokenCacheKey(): string | undefined {
    return this.auth?.cacheKey;
  }

  get cloud(): Cloud {
    return this.settings.cloud;
  }

  /**
   * True while the cached sign-in is being read (at start-up, or after the cloud or client changed): the engineer is
   * neither signed in nor out yet, so the view must not offer Sign In meanwhile.
   */
  get restoring(): boolean {
    return this.restoringAuth !== undefined;
  }

  /** Resolves once the cached account (if any) of the current configuration is loaded. */
  whenLoaded(): Promise<void> {
    return this.loading;
  }

  async signIn(): Promise<AccountSummary> {
    const auth = this.requireAuth();
    const remoteName = vscode.env.remoteName;
    const method = signInMethodFor(this.settings.signInMethod, {
      remoteName, onWorkspaceHost: this.context.extension.extensionKind === vscode.ExtensionKind.Workspace,
    });
    if (method !== this.settings.signInMethod) {
      this.log.info(`Remote extension host (${remoteName}): signing in with a device code instead of the browser.`);
    }
    return auth.signIn(method);
  }

  /**
   * Copy & Open in the device-code notification: copies the waiting sign-in's code to the clipboard and opens its
   * verification page (https only). Returns false when no sign-in is waiting for a code (it ended before the click).
   */
  async copyAndOpenDeviceCode(): Promise<boolean> {
    const prompt = this.waitingCode;
    if (!prompt) {
      return false;
    }
    await vscode.env.clipboard.writeText(prompt.userCode);
    if (parseHttpsUrl(prompt.verificationUri)) {
      await this.ui.openExternal(prompt.verificationUri);
      this.log.info(`Copied the device code and opened ${prompt.verificationUri}.`);
    }
    return true;
  }

  async signOut(): Promise<void> {
    await this.auth?.signOut();
  }

  /** For the Defender client: silent (with a claims challenge's `claims` when given), and a 'signInRequired' error when only a sign-in could help. */
  readonly getAccessToken = (options: { forceRefresh: boolean; claims?: string }): Promise<string> => this.requireAuth().getAccessToken(options);

  /** For the Defender client: a claims challenge that only an interactive sign-in can satisfy; Sign In passes it. */
  readonly requireClaims = (claims: string): void => this.auth?.requireClaims(claims);

  dispose(): void {
    this.auth?.dispose();
    vscode.Disposable.from(...this.disposables).dispose();
  }

  private requireAuth(): MsalAuth {
    if (this.auth) {
      return this.auth;
    }
    throw isSettingsError(this.resolved) ? this.resolved : signInRequired('Sign in to Microsoft Defender first.');
  }

  private configure(): void {
    this.settings = this.settingsSource.current;
    this.resolved = resolveEndpoints(this.settings);
    const endpoints = this.endpoints;
    const key = endpoints && JSON.stringify([this.settings.clientId, endpoints.authority, endpoints.knownAuthorities, endpoints.scope]);
    if (key !== this.authKey) {
      this.auth?.dispose();
      this.auth = undefined;
      this.authKey = key;
      if (endpoints) {
        const auth = new MsalAuth({
          clientId: this.settings.clientId, endpoints, secrets: this.context.secrets, state: this.context.globalState,
          ui: this.ui, log: this.log, queue: this.queue,
        });
        auth.onDidChangeAccount(() => this.update());
        this.auth = auth;
        this.restoringAuth = auth;
        this.loading = auth.loadAccount().then(
          () => undefined,
          (error) => this.log.warn(`Could not read the cached sign-in: ${errorDetail(error)}`),
        ).finally(() => {
          if (this.restoringAuth === auth) {
            this.restoringAuth = undefined;
            this.update();
          }
        });
      }
    }
    const problem = isSettingsError(this.resolved) ? this.resolved : undefined;
    if (problem) {
      this.log.info(`Sign-in is not configured: ${problem.message}`);
    }
    // At start-up an empty client ID is the ordinary first run, which the welcome view explains; any other problem,
    // and any a settings change causes, is shown once per setting (typing a host must not notify at each keystroke).
    if (problem && problem.setting !== this.shownProblem && (this.started || this.configurationProblem)) {
      this.showSettingsProblem(problem);
    }
    this.shownProblem = problem?.setting;
    this.started = true;
    this.update();
  }

  /** The setting whose problem was last shown; undefined once the settings resolve. */
  private shownProblem: string | undefined;
  /** Whether configure() ran before: later runs follow a settings change. */
  private started = false;

  /**
   * The setting that keeps sign-in from working, for the view to say; undefined when configured, and when there is
   * simply no client ID yet (the not-configured welcome view says to set it).
   */
  get configurationProblem(): SettingsError | undefined {
    return isSettingsError(this.resolved) && this.settings.clientId ? this.resolved : undefined;
  }

  private showSettingsProblem(problem: SettingsError): void {
    showNotification('warning', problem.message, [
      { title: 'Open Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', problem.setting) },
    ], (error) => this.log.error(`Could not open the settings: ${errorDetail(error)}`));
  }

  private update(): void {
    void vscode.commands.executeCommand('setContext', ContextKeys.configured, this.configured);
    void vscode.commands.executeCommand('setContext', ContextKeys.signedIn, this.account !== undefined);
    this.changed.fire();
  }
}

/** The sign-in controller, disposed with the extension; `settings` and `rateState` as for the constructor. */
export function createAuthController(
  context: vscode.ExtensionContext, log: Logger, settings: SettingsSource, rateState?: RateStateStore,
): AuthController {
  const controller = new AuthController(context, log, settings, rateState);
  context.subscriptions.push(controller);
  return controller;
}
