// The first line of the view's message: where you are (account, tenant) and what is filtered. With one view in the
// container VS Code shows neither the view's title nor its description on their own, so this line is where they are
// seen. Also the line that says why a list waits for the rate limit.
import { isGuid } from '../defender/machineAction';
import { ActionFilter, isFilterActive } from '../model/actionFilter';
import type { SessionAccount } from '../model/session';
import { oneLine, shorten } from '../shared/userText';
import { shortTypeLabel, statusLabel } from './presentation';

/** Tenant settings that name no tenant: the account's home tenant is used. */
const ANY_TENANT = new Set(['organizations', 'common', 'consumers']);
/**
 * The most characters (code points) of the account name and of the tenant's label in the where-line, and of each
 * part of the filter (its statuses, its types, its device text): however long one is, the line stays short enough
 * for the wait line and the hints after it in the view's message, and every part of the filter stays named. The
 * Filter quick pick shows each value whole.
 */
const PART_LENGTH = 64;
const FILTER_PART_LENGTH = 40;

/** A domain as short as it stays clear: "contoso.onmicrosoft.com" and "contoso.com" → "contoso"; longer ones whole. */
function domainLabel(domain: string): string {
  const name = domain.replace(/\.onmicrosoft\.(com|us)$/, '');
  const labels = name.split('.');
  return labels.length === 2 ? labels[0] : name;
}

/** Whether the account signed in to its own tenant (not as a guest): then its UPN's domain is one of the tenant's. */
function inHomeTenant(account: SessionAccount): boolean {
  return account.homeAccountId?.split('.').at(-1)?.toLowerCase() === account.tenantId.toLowerCase();
}

/**
 * How the view names the tenant, shortly (the status bar tooltip has the tenant id in full): by the domain the
 * setting gives ("contoso.onmicrosoft.com" → "contoso"), else by the domain of the UPN when the account is at home
 * in the tenant ("analyst@contoso.com" → "contoso"), else by the start of the tenant id ("tenant 72f988bf…").
 */
export function tenantLabel(tenantSetting: string, account: SessionAccount): string {
  const setting = tenantSetting.trim().toLowerCase();
  if (setting && !isGuid(setting) && !ANY_TENANT.has(setting)) {
    return domainLabel(setting);
  }
  const domain = account.username.slice(account.username.lastIndexOf('@') + 1).trim().toLowerCase();
  if (account.username.includes('@') && domain.includes('.') && inHomeTenant(account)) {
    return domainLabel(domain);
  }
  return `tenant ${account.tenantId.slice(0, 8)}…`;
}

export interface WhereInput {
  account: SessionAccount;
  /** The mdeActions.tenantId setting. */
  tenantSetting: string;
  /** The view's own filter (what Clear Filter clears). */
  filter: ActionFilter;
  /** The mdeActions.onlyMine setting, which narrows the list whatever the filter says. */
  onlyMineSetting: boolean;
}

/**
 * E.g. `analyst@contoso.com · contoso · filter: Pending · only mine`; the filter part only while one is on. Short, as
 * the view's message wraps after about 35 characters at the default side bar width: one line without a filter. At
 * most about 300 characters, whatever the account, tenant setting or filter (see PART_LENGTH).
 */
export function whereLine(input: WhereInput): string {
  const filter = isFilterActive(input.filter) ? `filter: ${describeFilter(input.filter)}` : '';
  const onlyMineSetting = input.onlyMineSetting && !input.filter.onlyMine ? 'only mine (setting)' : '';
  const account = part(input.account.username, PART_LENGTH);
  return [account, part(tenantLabel(input.tenantSetting, input.account), PART_LENGTH), filter, onlyMineSetting]
    .filter((part) => part)
    .join(' · ');
}

/** One part of the line, cut after the text gate's cleaning: invisible characters must not fill the part's room. */
function part(text: string, max: number): string {
  return shorten(oneLine(text), max);
}

/** A wall-clock time as HH:MM:SS in local time (24 h), e.g. 10:42:10. */
export function clockTime(epochMs: number): string {
  const date = new Date(epochMs);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * Why a list is not there yet while it waits for the rate limit (the budget of 100 calls a minute and 1,500 an hour,
 * or a 429's Retry-After): `seconds` is the wait, `startedAt` (epoch ms) when it began.
 */
export function rateLimitWaitLine(seconds: number, startedAt: number): string {
  return `Waiting ${seconds} s for the Defender API rate limit — retrying at ${clockTime(startedAt + seconds * 1000)}.`;
}

/**
 * A short line for the view's message, e.g. `Pending, In Progress · Release · device "fin" · only mine`; '' = none.
 * The statuses, the types and the device text take at most 40 characters each, cut with an ellipsis.
 */
export function describeFilter(filter: ActionFilter): string {
  return [
    part(filter.statuses.map(statusLabel).join(', '), FILTER_PART_LENGTH),
    part(filter.types.map(shortTypeLabel).join(', '), FILTER_PART_LENGTH),
    filter.deviceText ? `device "${part(filter.deviceText, FILTER_PART_LENGTH)}"` : '',
    filter.onlyMine ? 'only mine' : '',
  ].filter((part) => part).join(' · ');
}
