import Type, { type Static } from 'typebox';
import { Action } from './commands.js';
import { DEFAULT_REMEDIATION_SCOPE } from './remediation-scope.js';

/** Stable finding ids: public API, never renamed. */
export const FINDING_IDS = [
  'tcc.camera.denied',
  'tcc.microphone.denied',
  'tcc.screen-capture.denied',
  'tcc.unreadable',
  'firewall.blocks-zoom',
  'firewall.block-all',
  'usb.power.insufficient',
  'usb.bandwidth.shared',
  'zoom.outdated',
  'zoom.not-installed',
  'macos.outdated',
  'network.zoom-unreachable',
  'network.tls-inspected',
  'network.extension-unsettled',
  'zoom.damaged',
  'zoom.multiple-installs',
  'devices.camera.none',
  'devices.camera.unlisted',
  'devices.microphone.none',
  'macos.update-pending',
] as const;
export type FindingId = (typeof FINDING_IDS)[number];

export const Severity = Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]);
export type Severity = Static<typeof Severity>;

/** A fact that backs a finding: which section, what was seen. */
export const Evidence = Type.Object({
  section: Type.String(),
  detail: Type.String({ description: 'human sentence, e.g. "kTCCServiceCamera for us.zoom.xos: denied (user-set) on 2024-05-01"' }),
  value: Type.Optional(Type.Unknown()),
});
export type Evidence = Static<typeof Evidence>;

/** What to do about a finding. `action` is absent when no safe automatic fix exists (e.g. MDM policy). */
export const Remedy = Type.Object({
  summary: Type.String(),
  action: Type.Optional(Action),
});
export type Remedy = Static<typeof Remedy>;

/** One problem found on one device by one rule. `key` distinguishes several findings of the same id. */
export const Finding = Type.Object({
  id: Type.String(),
  key: Type.String({ description: 'stable per device: id plus subject, e.g. tcc.camera.denied:us.zoom.xos' }),
  severity: Severity,
  title: Type.String(),
  evidence: Type.Array(Evidence),
  remedy: Remedy,
});
export type Finding = Static<typeof Finding>;

/** Minimum versions and other admin-tunable thresholds. */
export const Policy = Type.Object({
  minZoomVersion: Type.String({ description: 'lowest acceptable Zoom version, dotted numeric' }),
  minMacosVersion: Type.String({ description: 'lowest acceptable macOS ProductVersion' }),
  zoomBundleId: Type.String(),
  zoomAppPath: Type.String({ description: 'an application bundle under /Applications (see refuseAppPath)' }),
  zoomHosts: Type.Optional(Type.Array(Type.String(), { description: 'names the agent resolves through the system resolver (network section); default in DEFAULT_POLICY, sources in docs/network-probes.md' })),
  zoomEndpoints: Type.Optional(Type.Array(Type.Object({ host: Type.String(), port: Type.Integer({ minimum: 1, maximum: 65535 }) }), { description: 'host:port the agent connects to with TCP and TLS: only endpoints that always serve' })),
  tccResetServices: Type.Array(Type.String(), { maxItems: 100, description: 'TCC services tcc.reset may reset (RemediationScope); default Camera, Microphone, ScreenCapture' }),
  tccResetClients: Type.Array(Type.String(), { maxItems: 100, description: 'bundle ids tcc.reset may reset (RemediationScope); default [zoomBundleId]' }),
});
export type Policy = Static<typeof Policy>;

/** Defaults: Zoom 6.0 (2024-03; older clients lose features and get forced updates), macOS 14. */
export const DEFAULT_POLICY: Policy = {
  minZoomVersion: '6.0.0',
  minMacosVersion: '14.0',
  zoomBundleId: 'us.zoom.xos',
  zoomAppPath: '/Applications/zoom.us.app',
  // Zoom's client firewall article lists *.zoom.us and *.zoom.com on TCP 443 and asks to check https://zoom.us (docs/network-probes.md).
  zoomHosts: ['zoom.us', 'zoom.com'],
  zoomEndpoints: [{ host: 'zoom.us', port: 443 }],
  tccResetServices: [...DEFAULT_REMEDIATION_SCOPE.tccResetServices],
  tccResetClients: [...DEFAULT_REMEDIATION_SCOPE.tccResetClients],
};
