// Words of empty and failed states: the device list's filters from the URL, why a list is
// empty, what to do about an API error, and a TCC table with nothing to show.
import type { TccDatabase } from '@fleetmedic/protocol';
import { describe, expect, it } from 'vitest';
import { cleanFilters, emptyListWords } from '../web/model/list.js';
import { EMPTY_FILTERS, parseRoute, type DeviceFilters } from '../web/model/route.js';
import { tccEmptyWords } from '../web/model/tcc.js';
import { errorHint } from '../web/model/words.js';

const listFilters = (hash: string): DeviceFilters => {
  const route = parseRoute(hash);
  if (route.page !== 'devices') throw new Error(`not a device list: ${hash}`);
  return route.filters;
};

describe('cleanFilters', () => {
  it('keeps known values and takes out what GET /api/v1/devices would refuse with 400, saying which', () => {
    expect(cleanFilters(listFilters('#/devices?finding=tcc.camera.denied&health=cannot-join&online=false&sort=-hostname&search=mba&limit=5')))
      .toEqual({ filters: { finding: 'tcc.camera.denied', health: 'cannot-join', online: 'false', sort: '-hostname', search: 'mba', limit: '5' }, ignored: [] });
    expect(cleanFilters(listFilters('#/devices?finding=nope&health=bogus&online=maybe&sort=bogus&search=x')))
      .toEqual({
        filters: { ...EMPTY_FILTERS, search: 'x' },
        ignored: [{ key: 'finding', value: 'nope' }, { key: 'health', value: 'bogus' }, { key: 'online', value: 'maybe' }, { key: 'sort', value: 'bogus' }],
      });
  });
});

describe('emptyListWords', () => {
  it('says why nothing is listed: nothing enrolled, no Mac with the finding open, or which filters matched nothing', () => {
    expect(emptyListWords(EMPTY_FILTERS)).toMatch(/^No Mac has enrolled yet\. Run the agent/);
    expect(emptyListWords({ ...EMPTY_FILTERS, finding: 'tcc.camera.denied', sort: 'hostname' })).toBe('No Mac has “Zoom is denied the camera” open right now.');
    expect(emptyListWords({ ...EMPTY_FILTERS, search: 'zzz' })).toBe('No Mac matches search “zzz” (hostname, serial number or console user).');
    expect(emptyListWords({ ...EMPTY_FILTERS, finding: 'firewall.blocks-zoom', health: 'ready', online: 'false' }))
      .toBe('No Mac matches problem “Application firewall blocks Zoom” and health Ready for calls and connection Offline.');
  });
});

describe('errorHint', () => {
  it('tells what to do for each kind of failure, and nothing when the server\'s message is all there is', () => {
    expect(errorHint({ status: 403 })).toMatch(/role needed for this: ask an admin/);
    expect(errorHint({ status: 0 })).toMatch(/^Check that the FleetMedic server is running/);
    expect(errorHint({ status: 429 })).toMatch(/^Too many failed attempts from this address: wait/);
    expect(errorHint({ status: 502 })).toMatch(/^The server failed: reload to try again/);
    expect(errorHint({ status: 400 })).toBe('');
  });
});

describe('tccEmptyWords', () => {
  const db = (scope: 'system' | 'user', status: TccDatabase['status']): TccDatabase => ({
    path: scope === 'system' ? '/Library/Application Support/com.apple.TCC/TCC.db' : '/Users/user/Library/Application Support/com.apple.TCC/TCC.db',
    scope, user: scope === 'user' ? 'user' : null, status, layout: null, columns: [], entries: [],
  });

  it('never says "no rows" when a TCC.db could not be read: unknown when none was, "may hold some" when one was not', () => {
    // The demo fleet's macmini-m4-27: system unreadable (no Full Disk Access), user TCC.db missing.
    expect(tccEmptyWords({ databases: [db('system', 'unreadable'), db('user', 'missing')] })).toMatch(/^Unknown: no TCC\.db was read .* not known \(not denied, not allowed\)\.$/);
    expect(tccEmptyWords({ databases: [] })).toMatch(/^Unknown:/);
    expect(tccEmptyWords({ databases: [db('system', 'unreadable'), db('user', 'ok')] }))
      .toBe('No camera, microphone or screen recording rows in the TCC.db that could be read; the unread one may hold some (unknown).');
    expect(tccEmptyWords({ databases: [db('system', 'ok'), db('user', 'ok')] })).toMatch(/^No camera, microphone or screen recording rows: no app has asked/);
  });
});
