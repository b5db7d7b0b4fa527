// The view's message line (where you are, what is filtered, why a list waits) and the portal link: pure, in Node.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { normalizeFilter } from '../../src/model/actionFilter';
import { noPortalMessage, portalDeviceUrl } from '../../src/commands/portalLink';
import { clockTime, rateLimitWaitLine, tenantLabel, whereLine } from '../../src/views/viewHeader';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OBJECT_ID = '0f4c7a1e-5b2d-4e8a-9c3f-6d1b2a7e8f90';
/** Signed in to its own tenant, as msal-node reports it: homeAccountId "<oid>.<home tenant id>". */
const account = { username: 'analyst@contoso.com', tenantId: TENANT, homeAccountId: `${OBJECT_ID}.${TENANT}` };
/** A guest: its home tenant is another one, so its UPN's domain does not name this tenant. */
const guest = { username: 'ir.partner@fabrikam.com', tenantId: TENANT, homeAccountId: `${OBJECT_ID}.0a1b2c3d-0000-4000-8000-000000000001` };
const where = (filter: object, options: { tenantSetting?: string; onlyMineSetting?: boolean } = {}) =>
  whereLine({ account, filter: normalizeFilter(filter), tenantSetting: options.tenantSetting ?? 'organizations', onlyMineSetting: options.onlyMineSetting ?? false });

describe('viewHeader', () => {
  it('the tenant is named by the domain of the setting, else by the UPN\'s domain at home, else by the start of its id', () => {
    assert.equal(tenantLabel('contoso.onmicrosoft.com', guest), 'contoso');
    assert.equal(tenantLabel('Fabrikam.onmicrosoft.us', account), 'fabrikam');
    assert.equal(tenantLabel('contoso.com', guest), 'contoso');
    assert.equal(tenantLabel('corp.contoso.co.uk', account), 'corp.contoso.co.uk', 'a longer domain whole: no guessing at its parts');
    for (const setting of ['organizations', 'common', TENANT.toUpperCase(), '']) {
      assert.equal(tenantLabel(setting, account), 'contoso', setting);
      assert.equal(tenantLabel(setting, { ...account, username: 'Analyst@Contoso.OnMicrosoft.com' }), 'contoso', setting);
      assert.equal(tenantLabel(setting, guest), 'tenant 72f988bf…', `a guest, ${setting}`);
      assert.equal(tenantLabel(setting, { username: 'analyst@contoso.com', tenantId: TENANT }), 'tenant 72f988bf…', `no home tenant known, ${setting}`);
      assert.equal(tenantLabel(setting, { ...account, username: 'analyst' }), 'tenant 72f988bf…', `no domain, ${setting}`);
    }
  });

  it('the line names the account and the tenant, and the filter only while one is on, in few words', () => {
    // About 35 characters fit one line of the view's message at the default side bar width.
    assert.equal(where({}), 'analyst@contoso.com · contoso');
    assert.equal(whereLine({ account: guest, filter: normalizeFilter({}), tenantSetting: TENANT, onlyMineSetting: false }),
      'ir.partner@fabrikam.com · tenant 72f988bf…');
    assert.equal(where({ statuses: ['Pending'], onlyMine: true }, { tenantSetting: 'contoso.onmicrosoft.com' }),
      'analyst@contoso.com · contoso · filter: Pending · only mine');
    assert.equal(where({ types: ['Unisolate', 'CollectInvestigationPackage'], deviceText: 'fin' }),
      'analyst@contoso.com · contoso · filter: Release, Package · device "fin"', 'types by their row names');
  });

  it('a long filter or account is cut part by part with an ellipsis: every part still named, the line short', () => {
    const line = whereLine({
      account: { ...account, username: `${'a'.repeat(200)}@contoso.com` }, tenantSetting: `${'t'.repeat(500)}.example`, onlyMineSetting: false,
      filter: normalizeFilter({ statuses: ['Pending', 'InProgress', 'Succeeded', 'Failed', 'TimeOut', 'Cancelled'], types: ['T'.repeat(3000)], deviceText: 'd'.repeat(256), onlyMine: true }),
    });
    assert.match(line, /^a{63}… · t{63}… · filter: Pending, In Progress, [^·]{1,20}… · Tt{38}… · device "d{39}…" · only mine$/);
    assert.ok(line.length <= 300, `${line.length}`);
    // Invisible characters go before the cut: they cannot fill a part's room and leave only the ellipsis.
    const hidden = whereLine({
      account: { ...account, username: `${'\u202e'.repeat(70)}analyst@contoso.com` }, tenantSetting: 'organizations', onlyMineSetting: false,
      filter: normalizeFilter({ deviceText: `${'\u200b'.repeat(45)}fin` }),
    });
    assert.equal(hidden, 'analyst@contoso.com · contoso · filter: device "fin"');
  });

  it('the Only Mine setting is named as a setting, since Clear Filter cannot clear it', () => {
    assert.equal(where({}, { onlyMineSetting: true }), 'analyst@contoso.com · contoso · only mine (setting)');
    assert.equal(where({ onlyMine: true }, { onlyMineSetting: true }), 'analyst@contoso.com · contoso · filter: only mine');
  });

  it('a rate-limit wait says how long and the clock time of the retry', () => {
    const start = new Date(2026, 10, 29, 10, 41, 50).getTime();
    assert.equal(clockTime(start), '10:41:50');
    assert.equal(clockTime(new Date(2026, 10, 29, 7, 5, 3).getTime()), '07:05:03');
    assert.equal(rateLimitWaitLine(20, start), 'Waiting 20 s for the Defender API rate limit — retrying at 10:42:10.');
  });

  it('the portal link: the device page on each real cloud, in the account\'s tenant; none on the Custom cloud', () => {
    const machine = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';
    const tid = `?tid=${TENANT}`;
    assert.equal(portalDeviceUrl('Commercial', machine, TENANT), `https://security.microsoft.com/machines/${machine}/overview${tid}`);
    assert.equal(portalDeviceUrl('GCC', machine, TENANT), `https://security.microsoft.com/machines/${machine}/overview${tid}`);
    assert.equal(portalDeviceUrl('GCCHigh', machine, TENANT.toUpperCase()), `https://security.microsoft.us/machines/${machine}/overview${tid}`);
    assert.equal(portalDeviceUrl('DoD', machine, TENANT), `https://security.apps.mil/machines/${machine}/overview${tid}`);
    // Not a tenant id (no account yet, or a malformed claim): no tid, and nothing can be added to the query.
    assert.equal(portalDeviceUrl('Commercial', machine, 'x&y=1'), `https://security.microsoft.com/machines/${machine}/overview`);
    assert.equal(portalDeviceUrl('Custom', machine, TENANT), undefined);
    assert.match(noPortalMessage(machine), new RegExp(`^The Custom cloud .* has no known Defender portal.*: ${machine}\\.$`));
  });
});
