// The extension's settings as one typed object, the cloud table (SPEC §1) and every validation message.
// src/settings.ts reads VS Code's configuration and hands the raw values to parseSettings.
import { Settings } from './constants';
import { hasCredentialsOrQuery, isHttps } from './shared/httpsUrl';

export const CLOUDS = ['Commercial', 'GCC', 'GCCHigh', 'DoD', 'Custom'] as const;
export const API_REGIONS = ['global', 'us', 'eu', 'uk', 'au', 'swa', 'ina'] as const;
export const SIGN_IN_METHODS = ['browser', 'deviceCode'] as const;
export const GROUP_BY = ['status', 'device', 'type', 'none'] as const;

/** A value of mdeActions.cloud: which sign-in and API hosts to use. */
export type Cloud = (typeof CLOUDS)[number];
export type ApiRegion = (typeof API_REGIONS)[number];
/** A value of mdeActions.signInMethod. */
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];
/** A value of mdeActions.groupBy: how the tree groups the actions. */
export type GroupBy = (typeof GROUP_BY)[number];

/** Every `mdeActions.*` setting of SPEC §2, by the key below the section (see Settings in constants.ts). */
export interface ExtensionSettings {
  cloud: Cloud;
  apiRegion: ApiRegion;
  tenantId: string;
  /** '' = not configured. */
  clientId: string;
  signInMethod: SignInMethod;
  customAuthorityHost: string;
  customApiBaseUrl: string;
  lookbackDays: number;
  maxActions: number;
  onlyMine: boolean;
  groupBy: GroupBy;
  /** 0 = off, else AUTO_REFRESH_SECONDS.min…max. */
  autoRefreshSeconds: number;
  notifyOnStatusChange: boolean;
}

export const DEFAULT_SETTINGS: Readonly<ExtensionSettings> = {
  cloud: 'Commercial',
  apiRegion: 'global',
  tenantId: 'organizations',
  clientId: '',
  signInMethod: 'browser',
  customAuthorityHost: '',
  customApiBaseUrl: '',
  lookbackDays: 7,
  maxActions: 1000,
  onlyMine: false,
  groupBy: 'status',
  autoRefreshSeconds: 60,
  notifyOnStatusChange: true,
};

/** The look-back window in days: the settings' range and what the list query accepts (SPEC §1 keeps 180 days). */
export const LOOKBACK_DAYS = { min: 1, max: 180 } as const;
/** How many actions one list may load: the API's largest `$top`, which is also its largest page. */
export const MAX_ACTIONS = { min: 1, max: 10_000 } as const;
export const AUTO_REFRESH_SECONDS = { min: 15, max: 86_400 } as const;
/** How long one HTTP request to Entra ID or to the Defender API may take, in ms, unless a caller says otherwise. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** A setting's key below the `mdeActions` section, e.g. `clientId` (settingId gives the full id). */
export type SettingKey = (typeof Settings)[Exclude<keyof typeof Settings, 'section'>];

/** The full id of a setting as the Settings editor and settings.json spell it, e.g. `mdeActions.clientId`. */
export function settingId(key: SettingKey): string {
  return `${Settings.section}.${key}`;
}

/** Settings that decide where tokens go: only the user (global) value counts, never a workspace's. */
export const APPLICATION_SCOPED_SETTINGS: readonly SettingKey[] = [
  Settings.cloud, Settings.apiRegion, Settings.tenantId, Settings.clientId, Settings.signInMethod,
  Settings.customAuthorityHost, Settings.customApiBaseUrl,
];

interface ParsedSettings {
  settings: ExtensionSettings;
  /** One sentence per value that was out of range or of the wrong type, saying what is used instead. */
  problems: string[];
}

/** Readers of one raw value by kind; each falls back (or clamps) and says so in `problems`. */
function valueReaders(read: (key: SettingKey) => unknown, problems: string[]) {
  const oneOf = <T extends string>(key: SettingKey, allowed: readonly T[], fallback: T): T => {
    const value = read(key);
    if (value === undefined || (allowed as readonly unknown[]).includes(value)) {
      return (value as T | undefined) ?? fallback;
    }
    problems.push(`${settingId(key)} has the unknown value ${JSON.stringify(value)}; using "${fallback}". Allowed: ${allowed.join(', ')}.`);
    return fallback;
  };
  const text = (key: SettingKey, fallback: string): string => {
    const value = read(key);
    if (value === undefined || typeof value === 'string') {
      return (value ?? fallback).trim();
    }
    problems.push(`${settingId(key)} must be a string; using ${JSON.stringify(fallback)}.`);
    return fallback;
  };
  const flag = (key: SettingKey, fallback: boolean): boolean => {
    const value = read(key);
    if (value === undefined || typeof value === 'boolean') {
      return value ?? fallback;
    }
    problems.push(`${settingId(key)} must be true or false; using ${fallback}.`);
    return fallback;
  };
  const integer = (key: SettingKey, fallback: number, min: number, max: number): number => {
    const value = read(key);
    if (value === undefined) {
      return fallback;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`${settingId(key)} must be a whole number from ${min} to ${max}; using ${fallback}.`);
      return fallback;
    }
    const clamped = Math.min(max, Math.max(min, Math.round(value)));
    if (clamped !== value) {
      problems.push(`${settingId(key)} must be a whole number from ${min} to ${max}; using ${clamped} instead of ${value}.`);
    }
    return clamped;
  };
  return { oneOf, text, flag, integer };
}

/** Turns raw configuration values (anything a settings.json can hold) into typed settings, clamping what is out of range. */
export function parseSettings(read: (key: SettingKey) => unknown): ParsedSettings {
  const problems: string[] = [];
  const { oneOf, text, flag, integer } = valueReaders(read, problems);
  const settings: ExtensionSettings = {
    cloud: oneOf(Settings.cloud, CLOUDS, DEFAULT_SETTINGS.cloud),
    apiRegion: oneOf(Settings.apiRegion, API_REGIONS, DEFAULT_SETTINGS.apiRegion),
    tenantId: text(Settings.tenantId, DEFAULT_SETTINGS.tenantId),
    clientId: text(Settings.clientId, DEFAULT_SETTINGS.clientId),
    signInMethod: oneOf(Settings.signInMethod, SIGN_IN_METHODS, DEFAULT_SETTINGS.signInMethod),
    customAuthorityHost: text(Settings.customAuthorityHost, DEFAULT_SETTINGS.customAuthorityHost),
    customApiBaseUrl: text(Settings.customApiBaseUrl, DEFAULT_SETTINGS.customApiBaseUrl),
    lookbackDays: integer(Settings.lookbackDays, DEFAULT_SETTINGS.lookbackDays, LOOKBACK_DAYS.min, LOOKBACK_DAYS.max),
    maxActions: integer(Settings.maxActions, DEFAULT_SETTINGS.maxActions, MAX_ACTIONS.min, MAX_ACTIONS.max),
    onlyMine: flag(Settings.onlyMine, DEFAULT_SETTINGS.onlyMine),
    groupBy: oneOf(Settings.groupBy, GROUP_BY, DEFAULT_SETTINGS.groupBy),
    autoRefreshSeconds: autoRefresh(read(Settings.autoRefreshSeconds), problems),
    notifyOnStatusChange: flag(Settings.notifyOnStatusChange, DEFAULT_SETTINGS.notifyOnStatusChange),
  };
  return { settings, problems };
}

function autoRefresh(value: unknown, problems: string[]): number {
  const id = settingId(Settings.autoRefreshSeconds);
  const { min, max } = AUTO_REFRESH_SECONDS;
  if (value === undefined) {
    return DEFAULT_SETTINGS.autoRefreshSeconds;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.push(`${id} must be 0 (off) or a number of seconds from ${min} to ${max}; using ${DEFAULT_SETTINGS.autoRefreshSeconds}.`);
    return DEFAULT_SETTINGS.autoRefreshSeconds;
  }
  const seconds = Math.round(value);
  if (seconds <= 0) {
    if (value < 0) {
      problems.push(`${id} is negative; auto refresh is off.`);
    }
    return 0;
  }
  if (seconds < min || seconds > max) {
    const used = seconds < min ? min : max;
    problems.push(`${id} is ${value}; it must be 0 (off) or from ${min} to ${max} seconds, so ${used} is used.`);
    return used;
  }
  return seconds;
}

// ── Clouds and endpoints (SPEC §1) ──────────────────────────────────────────────────────────────

/** Where sign-in happens and where tokens may go, for one configuration. */
export interface Endpoints {
  cloud: Cloud;
  /** `https://host[:port]`, no path. */
  authorityHost: string;
  /** `{authorityHost}/{tenantId}`. */
  authority: string;
  /** `['host:port']` for a Custom authority (MSAL then skips instance discovery); absent for the known clouds. */
  knownAuthorities?: string[];
  /** Base of the API paths (`{apiBaseUrl}/api/machineactions`), no trailing slash. */
  apiBaseUrl: string;
  /** The only origin a bearer token is ever sent to. */
  apiOrigin: string;
  /** The one scope requested: `{resource}/.default`. */
  scope: string;
}

const LOGIN_GLOBAL = 'https://login.microsoftonline.com';
const LOGIN_US_GOVERNMENT = 'https://login.microsoftonline.us';
const GOV_API = 'https://api-gov.securitycenter.microsoft.us';
const GCC_API = 'https://api-gcc.securitycenter.microsoft.us';

/** The fixed clouds; Commercial's API host also depends on mdeActions.apiRegion. */
const CLOUD_TABLE: Readonly<Record<Exclude<Cloud, 'Custom'>, { authorityHost: string; apiBaseUrl: string; resource: string }>> = {
  Commercial: { authorityHost: LOGIN_GLOBAL, apiBaseUrl: 'https://api.security.microsoft.com', resource: 'https://api.securitycenter.microsoft.com' },
  GCC: { authorityHost: LOGIN_GLOBAL, apiBaseUrl: GCC_API, resource: GCC_API },
  GCCHigh: { authorityHost: LOGIN_US_GOVERNMENT, apiBaseUrl: GOV_API, resource: GOV_API },
  DoD: { authorityHost: LOGIN_US_GOVERNMENT, apiBaseUrl: GOV_API, resource: GOV_API },
};

/** A setting that must be fixed before sign-in can work; `setting` is the id to open in the Settings editor. */
export class SettingsError extends Error {
  readonly kind = 'settings';
  constructor(readonly setting: string, message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** By shape, not instanceof: a second copy of this module (bundles, tests) must still be recognised. */
export function isSettingsError(value: unknown): value is SettingsError {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'settings'
    && typeof (value as { setting?: unknown }).setting === 'string';
}

/** The endpoints for these settings, or the first setting that has to be fixed. */
export function resolveEndpoints(settings: ExtensionSettings): Endpoints | SettingsError {
  try {
    return endpointsOf(settings);
  } catch (error) {
    if (isSettingsError(error)) {
      return error;
    }
    throw error;
  }
}

function endpointsOf(settings: ExtensionSettings): Endpoints {
  if (!settings.clientId) {
    throw new SettingsError(settingId(Settings.clientId),
      `Set ${settingId(Settings.clientId)} to the application (client) ID of your Entra ID app registration before signing in.`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(settings.clientId)) {
    throw new SettingsError(settingId(Settings.clientId),
      `${settingId(Settings.clientId)} must be an application (client) ID such as 00000000-0000-0000-0000-000000000000.`);
  }
  const tenant = settings.tenantId || DEFAULT_SETTINGS.tenantId;
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(tenant)) {
    throw new SettingsError(settingId(Settings.tenantId),
      `${settingId(Settings.tenantId)} must be a tenant ID (GUID), a domain such as contoso.onmicrosoft.com, or "organizations".`);
  }
  if (settings.cloud === 'Custom') {
    const authorityUrl = httpsUrl(Settings.customAuthorityHost, settings.customAuthorityHost, 'https://login.contoso.com', false);
    const apiUrl = httpsUrl(Settings.customApiBaseUrl, settings.customApiBaseUrl, 'https://mde-proxy.contoso.com', true);
    const apiBaseUrl = `${apiUrl.origin}${apiUrl.pathname.replace(/\/+$/, '')}`;
    return {
      cloud: 'Custom',
      authorityHost: authorityUrl.origin,
      authority: `${authorityUrl.origin}/${tenant}`,
      knownAuthorities: [authorityUrl.host],
      apiBaseUrl,
      apiOrigin: apiUrl.origin,
      scope: `${apiUrl.origin}/.default`,
    };
  }
  const entry = CLOUD_TABLE[settings.cloud];
  const apiBaseUrl = settings.cloud === 'Commercial' && settings.apiRegion !== 'global'
    ? `https://${settings.apiRegion}.api.security.microsoft.com`
    : entry.apiBaseUrl;
  return {
    cloud: settings.cloud,
    authorityHost: entry.authorityHost,
    authority: `${entry.authorityHost}/${tenant}`,
    apiBaseUrl,
    apiOrigin: new URL(apiBaseUrl).origin,
    scope: `${entry.resource}/.default`,
  };
}

/** An https URL without credentials, query or fragment (and without a path unless `pathAllowed`). */
function httpsUrl(key: SettingKey, value: string, example: string, pathAllowed: boolean): URL {
  const id = settingId(key);
  const customNote = `(${settingId(Settings.cloud)} is Custom)`;
  if (!value) {
    throw new SettingsError(id, `Set ${id} ${customNote} to an https URL such as ${example}.`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SettingsError(id, `${id} is not a URL: "${value}". Use an https URL such as ${example}.`);
  }
  if (!isHttps(url)) {
    throw new SettingsError(id, `${id} must use https:// — tokens are never sent over ${url.protocol.replace(/:$/, '')}.`);
  }
  if (hasCredentialsOrQuery(url)) {
    throw new SettingsError(id, `${id} must not contain a user name, password, query or fragment: use ${example}.`);
  }
  if (!pathAllowed && url.pathname !== '/') {
    throw new SettingsError(id, `${id} must be the host only, without a path (the tenant is added from ${settingId(Settings.tenantId)}): use ${example}.`);
  }
  return url;
}
