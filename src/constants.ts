// The public contract (SPEC §2), defined once. package.json declares the same ids; a test keeps them in step.

/** `publisher.name` of package.json: what `vscode.extensions.getExtension` finds the extension by. */
export const EXTENSION_ID = 'defender-tools.machine-actions';
/** The **Defender** activity-bar container. */
export const VIEW_CONTAINER_ID = 'mdeActions';
/** The **Machine Actions** tree view. */
export const VIEW_ID = 'mdeActions.machineActions';
/** The name of the extension's log output channel (Show Log). */
export const LOG_CHANNEL_NAME = 'Defender Machine Actions';
/** The AuthenticationProvider behind the Accounts menu entry (package.json `contributes.authentication`). */
export const AUTH_PROVIDER_ID = 'mdeActions';
/** The account provider's name as the Accounts menu shows it. */
export const AUTH_PROVIDER_LABEL = 'Microsoft Defender for Endpoint';

/** Every command id of package.json `contributes.commands`, by meaning. */
export const Commands = {
  signIn: 'mdeActions.signIn',
  signOut: 'mdeActions.signOut',
  refresh: 'mdeActions.refresh',
  cancelAction: 'mdeActions.cancelAction',
  showDetails: 'mdeActions.showDetails',
  copyActionId: 'mdeActions.copyActionId',
  openInPortal: 'mdeActions.openInPortal',
  filter: 'mdeActions.filter',
  clearFilter: 'mdeActions.clearFilter',
  showLog: 'mdeActions.showLog',
  openCommandOutput: 'mdeActions.openCommandOutput',
  downloadInvestigationPackage: 'mdeActions.downloadInvestigationPackage',
  exportActions: 'mdeActions.exportActions',
  /** The device-code notification's Copy & Open link; not in the palette. */
  copyDeviceCode: 'mdeActions.copyDeviceCode',
} as const;

/** The `when`-clause context keys the extension sets (welcome views, title buttons, menus). */
export const ContextKeys = {
  configured: 'mdeActions.configured',
  signedIn: 'mdeActions.signedIn',
  loading: 'mdeActions.loading',
  /** The view's own filter is on: the title shows the filled filter icon with Clear Filter. */
  filtered: 'mdeActions.filtered',
} as const;

/** The view title's submenu while a filter is on (icon `$(filter-filled)`): change or clear the filter. */
export const FILTER_SUBMENU_ID = 'mdeActions.filterOn';

/** Setting keys below the `mdeActions` section. */
export const Settings = {
  section: 'mdeActions',
  cloud: 'cloud',
  apiRegion: 'apiRegion',
  tenantId: 'tenantId',
  clientId: 'clientId',
  signInMethod: 'signInMethod',
  customAuthorityHost: 'custom.authorityHost',
  customApiBaseUrl: 'custom.apiBaseUrl',
  lookbackDays: 'lookbackDays',
  maxActions: 'maxActions',
  onlyMine: 'onlyMine',
  groupBy: 'groupBy',
  autoRefreshSeconds: 'autoRefreshSeconds',
  notifyOnStatusChange: 'notifyOnStatusChange',
} as const;

/** Tree item context values, matched by `viewItem` in package.json menus. */
export const ItemContext = {
  action: 'machineAction',
  cancellableAction: 'machineAction.cancellable',
  cancellingAction: 'machineAction.cancelling',
} as const;

/**
 * Words appended to an action's contextValue (after a space) for what it has ready to fetch, matched by
 * `viewItem =~ /\b<flag>\b/`: a completed live-response command, a package of a succeeded collection.
 */
export const ItemFlags = {
  commandOutput: 'commandOutput',
  investigationPackage: 'investigationPackage',
} as const;
