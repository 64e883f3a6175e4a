import { HEALTH_COUNT_FIELD, type Health } from '@fleetmedic/protocol';
import { useApp, useLoad } from '../app-context.js';
import { ApiError, type ApiClient } from '../api/client.js';
import type { DeviceListItem, FleetChanges, FleetSample, FleetSummary } from '../api/types.js';
import { ChangesBefore } from '../components/ChangesBefore.js';
import { ErrorBox, Online, Panel, ReasonBadge, SeverityBadge } from '../components/bits.js';
import { Trend } from '../components/Trend.js';
import { findingInfo, rankProblems, type ProblemCount } from '../model/findings.js';
import { fromFirstMac } from '../model/trend.js';
import { devicesHref, href } from '../model/route.js';
import { HEALTH_MEANING, HEALTH_WORDS, tilesCaption } from '../model/words.js';

const WORST = 8;
/** the overview's trend window: 7 days */
const TREND_HOURS = 168;
/** "what changed before it broke": the window before each finding appeared, h; findings and changes shown */
const CHANGES_HOURS = 24;
const CHANGES_FINDINGS = 4;
const CHANGES_EACH = 2;
/** the tiles, worst first */
const TILE_ORDER: Health[] = ['cannot-join', 'at-risk', 'unknown', 'ready'];

function Tile({ label, value, total, kind, note, link }: { label: string; value: number; total: number; kind: string; note: string; link: string }) {
  return (
    <a class={`tile tile-${kind}`} href={link} title={note}>
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
        {TILE_ORDER.map((h) => (
          <Tile key={h} label={HEALTH_WORDS[h]} value={s[HEALTH_COUNT_FIELD[h]]} total={s.total} kind={h} note={HEALTH_MEANING[h]} link={devicesHref({ health: h })} />
        ))}
        <Tile label="Offline" value={s.offline} total={s.total} kind="offline" note="not seen recently" link={devicesHref({ online: 'false' })} />
      </div>
      {/* The health tiles count offline Macs too (by their last report): say so, or they seem not to add up. */}
      {caption && <p class="tiles-caption">{caption}</p>}
    </>
  );
}

function ProblemList({ problems }: { problems: ProblemCount[] }) {
  const max = Math.max(...problems.map((p) => p.count));
  return (
    <ol class="problems">
      {problems.map((p) => (
        <li key={p.id}>
          <a href={devicesHref({ finding: p.id })} class={`problem problem-${p.severity}`} title={p.breaks}>
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

/** Why Macs cannot join a call (critical findings), then what puts others at risk (warnings): Macs per finding id, each linking to the filtered list. */
function Problems({ s }: { s: FleetSummary }) {
  const problems = rankProblems(s.findings);
  if (problems.length === 0) return <p class="all-good">No open problems. Every Mac that reported can join a call.</p>;
  const critical = problems.filter((p) => p.severity === 'critical');
  const other = problems.filter((p) => p.severity !== 'critical');
  return (
    <>
      {critical.length > 0 && <h3 class="problems-group">Cannot join: {s.cannotJoin} {s.cannotJoin === 1 ? 'Mac' : 'Macs'}</h3>}
      {critical.length > 0 && <ProblemList problems={critical} />}
      {other.length > 0 && <h3 class="problems-group">At risk or unknown</h3>}
      {other.length > 0 && <ProblemList problems={other} />}
    </>
  );
}

interface OverviewData {
  summary: FleetSummary;
  /** the worst Macs that are not ready, worst first (the list's default order) */
  worst: DeviceListItem[];
  /** the last 7 days of samples from the first with a Mac (fromFirstMac), oldest first, or why they could not be loaded (the rest of the page still shows) */
  trend: FleetSample[] | ApiError;
  /** what changed before each open finding appeared, or why it could not be loaded */
  changes: FleetChanges | ApiError;
}

const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'unreachable', String(e)));

/** The summary, the worst Macs (each with its top reason) and the trend. */
async function loadOverview(api: ApiClient): Promise<OverviewData> {
  const [summary, page, trend, changes] = await Promise.all([
    api.summary(),
    api.devices({ sort: 'worst', limit: WORST }),
    api.trend(TREND_HOURS).then((t) => fromFirstMac(t.samples), asApiError),
    api.changes({ hours: CHANGES_HOURS, limit: CHANGES_EACH }).catch(asApiError),
  ]);
  return { summary, worst: page.devices.filter((d) => d.health !== 'ready'), trend, changes };
}

function WorstMacs({ data }: { data: OverviewData }) {
  if (data.worst.length === 0) return <p>None: every Mac is ready for calls.</p>;
  return (
    <ul class="worst">
      {data.worst.map((d) => (
        <li key={d.id} data-health={d.health}>
          <a href={href({ page: 'device', id: d.id })}>{d.hostname}</a>
          <span class="worst-findings">
            {d.topReason && <ReasonBadge reason={d.topReason} />} {d.topReason?.title ?? ''}
            {d.openFindings > 1 && <span class="muted"> +{d.openFindings - 1} more</span>}
          </span>
          <Online online={d.online} lastSeenAt={d.lastSeenAt} />
        </li>
      ))}
    </ul>
  );
}

/** What changed before it broke: for the worst open findings, the changes their Macs share most. */
function Changes({ changes }: { changes: FleetChanges }) {
  const shown = changes.findings.slice(0, CHANGES_FINDINGS);
  if (shown.length === 0) return <p class="muted">No open findings: nothing broke.</p>;
  return (
    <>
      {shown.map((f) => (
        <div key={f.findingId} class="changes-finding">
          <h3 class="problems-group"><a href={devicesHref({ finding: f.findingId })}>{findingInfo(f.findingId).title}</a></h3>
          <ChangesBefore finding={f} windowHours={changes.windowHours} />
        </div>
      ))}
    </>
  );
}

/** Fleet overview: how many Macs can join a call, the top reasons the others cannot, and which Macs. */
export function Overview() {
  const { api } = useApp();
  const loaded = useLoad(() => loadOverview(api), [api], (e) => e.type !== 'command.updated', 1_000);
  const data = loaded.data;
  const notReady = data ? data.summary.total - data.summary.ready : 0;
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
            : <Panel id="trend" title="Last 7 days"><Trend samples={data.trend} /></Panel>}
          <div class="columns">
            <Panel id="why" title="Why Macs cannot join a call">
              <Problems s={data.summary} />
            </Panel>
            <Panel id="worst" title="Worst Macs first" extra={<a href={devicesHref({})}>All {notReady} not ready →</a>}>
              <WorstMacs data={data} />
            </Panel>
          </div>
          {data.changes instanceof ApiError
            ? <ErrorBox error={data.changes} what="what changed before it broke" />
            : <Panel id="changes" title="What changed before it broke"><Changes changes={data.changes} /></Panel>}
        </>
      )}
    </div>
  );
}
