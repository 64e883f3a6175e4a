import { useEffect, useState } from 'preact/hooks';
import { useApp, useLoad } from '../app-context.js';
import { BulkFixDialog } from '../components/BulkFixDialog.js';
import { HEALTHS } from '@fleetmedic/protocol';
import { ErrorBox, HealthBadge, Online, Panel, ReasonBadge } from '../components/bits.js';
import { ChangesBefore } from '../components/ChangesBefore.js';
import { bulkButtonLabel, canBulkFix, remediationFilter } from '../model/bulk.js';
import { FINDING_OPTIONS, findingInfo } from '../model/findings.js';
import { cleanFilters, emptyListWords } from '../model/list.js';
import { href, type DeviceFilters } from '../model/route.js';
import { DEFAULT_SORT, SORT_OPTIONS } from '../model/sort.js';
import { HEALTH_WORDS, ago } from '../model/words.js';

const PAGE_SIZE = 50;
/** the window before a finding appeared in which its Macs' changes are counted, h */
const CHANGES_HOURS = 24;

/** On a finding's list: what its Macs changed just before it appeared, most shared first. */
function FindingChangesPanel({ findingId }: { findingId: string }) {
  const { api } = useApp();
  const loaded = useLoad(() => api.changes({ finding: findingId, hours: CHANGES_HOURS, limit: 5 }), [api, findingId], (e) => e.type === 'device.updated', 2_000);
  if (loaded.error) return <ErrorBox error={loaded.error} what="what changed before it broke" />;
  const f = loaded.data?.findings[0];
  if (!loaded.data || !f) return null;
  return (
    <Panel id="changes" title="What changed before it broke">
      <ChangesBefore finding={f} windowHours={loaded.data.windowHours} />
    </Panel>
  );
}

/** The `limit` of the URL when it is a whole number 1–500, else PAGE_SIZE. */
const pageSize = (limit: string): number => (/^\d+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 500 ? Number(limit) : PAGE_SIZE);

const go = (filters: DeviceFilters, replace = false) => {
  const target = href({ page: 'devices', filters });
  if (replace) location.replace(target);
  else location.hash = target;
};

function Filters({ filters }: { filters: DeviceFilters }) {
  const [search, setSearch] = useState(filters.search);
  useEffect(() => setSearch(filters.search), [filters.search]);
  // Typing filters after a short pause; the URL is replaced, not pushed, so Back leaves the list.
  useEffect(() => {
    if (search === filters.search) return;
    const timer = setTimeout(() => go({ ...filters, search }, true), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const set = (key: keyof DeviceFilters) => (e: Event) => go({ ...filters, [key]: (e.target as HTMLSelectElement).value });
  const any = [filters.search, filters.finding, filters.health, filters.online, filters.sort].some(Boolean);
  return (
    <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); go({ ...filters, search }); }}>
      <label>
        <span>Search</span>
        <input type="search" value={search} placeholder="Hostname or serial" onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        <span>Problem</span>
        <select value={filters.finding} onChange={set('finding')}>
          <option value="">Any</option>
          {FINDING_OPTIONS.map((f) => <option key={f.id} value={f.id}>{f.title}</option>)}
        </select>
      </label>
      <label>
        <span>Health</span>
        <select value={filters.health} onChange={set('health')}>
          <option value="">Any</option>
          {HEALTHS.map((h) => <option key={h} value={h}>{HEALTH_WORDS[h]}</option>)}
        </select>
      </label>
      <label>
        <span>Connection</span>
        <select value={filters.online} onChange={set('online')}>
          <option value="">Any</option>
          <option value="true">Online</option>
          <option value="false">Offline</option>
        </select>
      </label>
      <label>
        <span>Sort</span>
        <select value={filters.sort} onChange={set('sort')}>
          {SORT_OPTIONS.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      </label>
      {any && <a class="clear" href="#/devices">Clear filters</a>}
    </form>
  );
}

/**
 * Device list: search, filters, sort and cursor paging, all kept in the URL but the page. Values
 * of the URL the API does not know are left out of the query, and the page says so.
 */
export function DeviceList({ filters: urlFilters }: { filters: DeviceFilters }) {
  const { api, session } = useApp();
  const { filters, ignored } = cleanFilters(urlFilters);
  const [bulkOpen, setBulkOpen] = useState(false);
  // Cursors of the pages before the current one; [] on the first page.
  const [cursors, setCursors] = useState<string[]>([]);
  const key = JSON.stringify(filters);
  // Other filters (Back while the bulk dialog is open, too) are another list: start on page 1 and
  // close the dialog, whose dry run was for the old list.
  useEffect(() => {
    setCursors([]);
    setBulkOpen(false);
  }, [key]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(
    () => api.devices({ ...filters, sort: filters.sort || DEFAULT_SORT, limit: pageSize(filters.limit), cursor }),
    [api, key, cursor],
    (e) => e.type !== 'command.updated',
    1_000,
  );
  const title = filters.finding ? findingInfo(filters.finding).title : 'Devices';

  return (
    <div class="page">
      <h1>{title}</h1>
      {filters.finding && <p class="lead">Macs with this problem open{findingInfo(filters.finding).breaks ? ` (in Zoom: ${findingInfo(filters.finding).breaks.toLowerCase()})` : ''}. <a href="#/devices">All devices</a></p>}
      {filters.finding && <FindingChangesPanel findingId={filters.finding} />}
      <Filters filters={filters} />
      {ignored.length > 0 && (
        <p class="note ignored-filters" role="note">
          Ignored in the address, not a value this list knows: {ignored.map((i) => `${i.key} “${i.value}”`).join(', ')}.{' '}
          <a href={href({ page: 'devices', filters })}>Remove from the address</a>
        </p>
      )}
      {canBulkFix(session.role, filters) && page.data && page.data.devices.length > 0 && (
        <p class="bulk-fix">
          <button type="button" class="primary" onClick={() => setBulkOpen(true)}>
            {bulkButtonLabel(page.data.devices.length, page.data.nextCursor !== null)}
          </button>
        </p>
      )}
      {bulkOpen && <BulkFixDialog findingId={filters.finding} filter={remediationFilter(filters)} onClose={() => { setBulkOpen(false); page.reload(); }} />}
      {page.error && <ErrorBox error={page.error} what="the devices" />}
      {!page.data && !page.error && <p role="status">Loading…</p>}
      {page.data && (
        <>
          <div class="table-wrap">
            <table class="devices stack">
              <caption class="sr-only">Devices, {page.data.devices.length} shown</caption>
              <thead>
                <tr>
                  <th scope="col">Hostname</th>
                  <th scope="col">Health</th>
                  <th scope="col">Why</th>
                  <th scope="col" title="distinct causes">Problems</th>
                  <th scope="col">Connection</th>
                  <th scope="col" class="wide">Serial</th>
                  <th scope="col" class="wide">macOS</th>
                  <th scope="col" class="wide">Zoom</th>
                  <th scope="col" class="wide">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {page.data.devices.length === 0 && (
                  <tr class="list-empty"><td colSpan={9}>{cursors.length > 0 ? 'No more Macs: this page is empty.' : emptyListWords(filters)}</td></tr>
                )}
                {page.data.devices.map((d) => (
                  <tr key={d.id} class={`row-${d.health}`} data-health={d.health}>
                    <th scope="row"><a href={href({ page: 'device', id: d.id })}>{d.hostname}</a></th>
                    <td data-label="Health"><HealthBadge health={d.health} /></td>
                    <td data-label="Why" class="why">
                      {d.topReason ? <><ReasonBadge reason={d.topReason} /> {d.topReason.title}{d.topReason.findingId && <span class="muted small"> · {findingInfo(d.topReason.findingId).breaks}</span>}</> : <span class="muted">—</span>}
                    </td>
                    <td data-label="Problems" class="num">
                      {d.openFindingIds && d.openFindingIds.length > 0
                        ? <span title={d.openFindingIds.map((id) => findingInfo(id).title).join(', ')}>{d.openFindings}</span>
                        : d.openFindings}
                    </td>
                    <td data-label="Connection"><Online online={d.online} lastSeenAt={d.lastSeenAt} /></td>
                    <td data-label="Serial" class="wide mono">{d.serialNumber ?? '—'}</td>
                    <td data-label="macOS" class="wide">{d.osVersion ?? '—'}</td>
                    <td data-label="Zoom" class="wide">{d.zoomVersion ?? '—'}</td>
                    <td data-label="Last seen" class="wide">{ago(d.lastSeenAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages">
            <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>← Previous</button>
            <span>Page {cursors.length + 1}</span>
            <button type="button" disabled={!page.data.nextCursor} onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}>Next →</button>
          </nav>
        </>
      )}
    </div>
  );
}
