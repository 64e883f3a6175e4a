import { useApp, useLoad } from '../app-context.js';
import { ApiError, type ApiClient } from '../api/client.js';
import type { DeviceListItem, FleetSample, FleetSummary } from '../api/types.js';
import { ErrorBox, Online, Panel, SeverityBadge } from '../components/bits.js';
import { Trend } from '../components/Trend.js';
import { findingInfo, rankProblems, reasonsByDevice } from '../model/findings.js';
import { fromFirstMac } from '../model/trend.js';
import { devicesHref, href } from '../model/route.js';
import { tilesCaption } from '../model/words.js';

const WORST = 8;
/** the overview's trend window: 7 days */
const TREND_HOURS = 168;

function Tile({ label, value, total, kind, link }: { label: string; value: number; total: number; kind: string; link: string }) {
  return (
    <a class={`tile tile-${kind}`} href={link}>
      <span class="tile-value">{value}</span>
      <span class="tile-label">{label}</span>
      <span class="tile-note">{total > 0 ? `${Math.round((value / total) * 100)} % of ${total} Macs` : 'no Macs enrolled yet'}</span>
    </a>
  );
}

function Tiles({ s }: { s: FleetSummary }) {
  const caption = tilesCaption(s);
  return (
    <>
      <div class="tiles">
        <Tile label="Ready for calls" value={s.healthy} total={s.total} kind="healthy" link={devicesHref({ health: 'healthy' })} />
        <Tile label="Cannot join or at risk" value={s.problems} total={s.total} kind="problems" link={devicesHref({ health: 'problems' })} />
        <Tile label="Unknown" value={s.unknown} total={s.total} kind="unknown" link={devicesHref({ health: 'unknown' })} />
        <Tile label="Offline" value={s.offline} total={s.total} kind="offline" link={devicesHref({ online: 'false' })} />
      </div>
      {/* The first three tiles count offline Macs too (by their last report): say so, or they seem not to add up. */}
      {caption && <p class="tiles-caption">{caption}</p>}
    </>
  );
}

/** "Why Macs cannot join a call": Macs per finding id, each linking to the filtered list. */
function Problems({ s }: { s: FleetSummary }) {
  const problems = rankProblems(s.findings);
  if (problems.length === 0) return <p class="all-good">No open problems. Every Mac that reported can join a call.</p>;
  const max = Math.max(...problems.map((p) => p.count));
  return (
    <ol class="problems">
      {problems.map((p) => (
        <li key={p.id}>
          <a href={devicesHref({ finding: p.id })} class="problem">
            <SeverityBadge severity={p.severity} />
            <span class="problem-title">{p.title}</span>
            <span class="problem-bar" aria-hidden="true"><span style={{ width: `${(p.count / max) * 100}%` }} /></span>
            <span class="problem-count">{p.count} {p.count === 1 ? 'Mac' : 'Macs'}</span>
          </a>
        </li>
      ))}
    </ol>
  );
}

interface OverviewData {
  summary: FleetSummary;
  worst: DeviceListItem[];
  /** device id -> open finding ids, most serious first */
  reasons: Map<string, string[]>;
  /** the last 7 days of samples from the first with a Mac (fromFirstMac), oldest first, or why they could not be loaded (the rest of the page still shows) */
  trend: FleetSample[] | ApiError;
}

/**
 * The summary, the Macs with the most open findings, and why each has them: from the list's
 * `openFindingIds` when the server sends them, else from one `?finding=` list per open finding id.
 */
async function loadOverview(api: ApiClient): Promise<OverviewData> {
  const [summary, page, trend] = await Promise.all([
    api.summary(),
    api.devices({ health: 'problems', sort: '-openFindings', limit: WORST }),
    api.trend(TREND_HOURS).then((t) => fromFirstMac(t.samples), (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'unreachable', String(e)))),
  ]);
  if (page.devices.every((d) => d.openFindingIds)) {
    return { summary, worst: page.devices, reasons: new Map(page.devices.map((d) => [d.id, d.openFindingIds ?? []])), trend };
  }
  const lists = await Promise.all(
    summary.findings
      .filter((f) => f.devices > 0)
      .map(async (f) => [f.id, (await api.devices({ finding: f.id, limit: 500 })).devices.map((d) => d.id)] as const),
  );
  return { summary, worst: page.devices, reasons: reasonsByDevice(lists), trend };
}

function WorstMacs({ data }: { data: OverviewData }) {
  if (data.worst.length === 0) return <p>None.</p>;
  return (
    <ul class="worst">
      {data.worst.map((d) => {
        const reasons = data.reasons.get(d.id) ?? [];
        return (
          <li key={d.id}>
            <a href={href({ page: 'device', id: d.id })}>{d.hostname}</a>
            <span class="worst-findings">
              {reasons.length > 0
                ? reasons.map((id) => findingInfo(id).title).join(' · ')
                : `${d.openFindings} open ${d.openFindings === 1 ? 'finding' : 'findings'}`}
            </span>
            <Online online={d.online} lastSeenAt={d.lastSeenAt} />
          </li>
        );
      })}
    </ul>
  );
}

/** Fleet overview: how many Macs can join a call, the top reasons the others cannot, and which Macs. */
export function Overview() {
  const { api } = useApp();
  const loaded = useLoad(() => loadOverview(api), [api], (e) => e.type !== 'command.updated', 1_000);
  const data = loaded.data;
  return (
    <div class="page">
      <h1>Can every Mac join a call?</h1>
      {loaded.error && <ErrorBox error={loaded.error} what="the fleet summary" />}
      {!data && !loaded.error && <p role="status">Loading…</p>}
      {data && (
        <>
          <Tiles s={data.summary} />
          {data.trend instanceof ApiError
            ? <ErrorBox error={data.trend} what="the trend" />
            : data.trend.length >= 2 && <Panel id="trend" title="Last 7 days"><Trend samples={data.trend} /></Panel>}
          <div class="columns">
            <Panel id="why" title="Why Macs cannot join a call">
              <Problems s={data.summary} />
            </Panel>
            <Panel id="worst" title="Macs with the most problems" extra={<a href={devicesHref({ health: 'problems' })}>All {data.summary.problems} →</a>}>
              <WorstMacs data={data} />
            </Panel>
          </div>
        </>
      )}
    </div>
  );
}
