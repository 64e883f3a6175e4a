import Type, { type Static } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** One enabled proxy of `scutil --proxy` (HTTPEnable/HTTPSEnable/SOCKSEnable : 1). */
export const ProxySetting = Type.Object({
  kind: Type.Union([Type.Literal('http'), Type.Literal('https'), Type.Literal('socks')]),
  host: Type.String({ description: 'HTTPProxy / HTTPSProxy / SOCKSProxy as written' }),
  port: Nullable(Type.Integer({ description: 'HTTPPort / HTTPSPort / SOCKSPort; null when absent' })),
});
export type ProxySetting = Static<typeof ProxySetting>;

/** The system proxy configuration. Source: `scutil --proxy` (top-level keys; per-interface `__SCOPED__` copies ignored). */
export const ProxyFacts = Type.Object({
  proxies: Type.Array(ProxySetting, { description: 'enabled proxies only' }),
  pacUrl: Nullable(Type.String({ description: 'ProxyAutoConfigURLString when ProxyAutoConfigEnable is 1' })),
  autoDiscovery: Type.Boolean({ description: 'ProxyAutoDiscoveryEnable : 1 (WPAD)' }),
  exceptions: Type.Array(Type.String(), { description: 'ExceptionsList, in order' }),
});
export type ProxyFacts = Static<typeof ProxyFacts>;

/** One network connection (VPN) service. Source: `scutil --nc list`. */
export const VpnService = Type.Object({
  id: Type.String({ description: 'service id (a UUID), as printed' }),
  name: Type.String({ description: 'user-visible name, the quoted column' }),
  state: Type.String({ description: 'Connected | Disconnected | Connecting | Disconnecting | Invalid | ...' }),
  enabled: Type.Boolean({ description: 'the leading "*" (*=enabled)' }),
  kind: Type.String({ description: 'e.g. "PPP --> L2TP", "VPN (io.tailscale.ipn.macsys)"' }),
  bundleId: Nullable(Type.String({ description: 'provider bundle id of a network-extension VPN, from "VPN (<id>)" or "[VPN:<id>]"' })),
});
export type VpnService = Static<typeof VpnService>;

/** One system extension. Source: `systemextensionsctl list` (macOS 10.15+). */
export const SystemExtension = Type.Object({
  category: Nullable(Type.String({ description: 'network_extension | endpoint_security | driver_extension | ... (com.apple.system_extension. stripped)' })),
  enabled: Type.Boolean(),
  active: Type.Boolean(),
  teamId: Type.String({ description: 'Apple Developer Team ID, e.g. X9E956P446' }),
  bundleId: Type.String(),
  version: Nullable(Type.String({ description: 'as printed inside the parentheses, e.g. 7.30/202.02' })),
  name: Type.String(),
  state: Type.String({ description: 'inside the brackets, e.g. "activated enabled", "activated waiting for user", "terminated waiting to uninstall on reboot"' }),
});
export type SystemExtension = Static<typeof SystemExtension>;

/**
 * DNS through the system resolver (`dns.lookup`) of one host. A verdict, never an address list
 * or a time: CDN answers rotate and an unchanged Mac must stay unchanged.
 * - `resolved`: at least one routable address.
 * - `sinkhole`: every answer is 0.0.0.0, 127.0.0.0/8 or :: (a filter's "blocked" answer).
 * - `not-found` (ENOTFOUND), `server-failure` (EAI_AGAIN / ESERVFAIL / EAI_FAIL), `timeout`
 *   (no answer within the probe's deadline), `error` (anything else; `code` says what).
 */
export const DnsVerdict = Type.Union([
  Type.Literal('resolved'),
  Type.Literal('sinkhole'),
  Type.Literal('not-found'),
  Type.Literal('server-failure'),
  Type.Literal('timeout'),
  Type.Literal('error'),
]);
export type DnsVerdict = Static<typeof DnsVerdict>;

export const DnsProbe = Type.Object({
  host: Type.String(),
  verdict: DnsVerdict,
  code: Nullable(Type.String({ description: "Node's error code, e.g. ENOTFOUND, EAI_AGAIN" })),
  sinkholeAddress: Nullable(Type.String({ description: 'the sinkhole answer, e.g. 0.0.0.0' })),
});
export type DnsProbe = Static<typeof DnsProbe>;

/** TCP connect result: `connected`, or why not. `dns-failed`: the name did not resolve, nothing was tried. */
export const TcpVerdict = Type.Union([
  Type.Literal('connected'),
  Type.Literal('refused'),
  Type.Literal('timeout'),
  Type.Literal('unreachable'),
  Type.Literal('reset'),
  Type.Literal('dns-failed'),
  Type.Literal('error'),
]);
export type TcpVerdict = Static<typeof TcpVerdict>;

/**
 * TLS handshake result.
 * - `valid`: the chain validates against the public roots Node ships (tls.rootCertificates).
 * - `inspected`: it validates only with a root installed on this Mac: TLS inspection (`issuer` names it).
 * - `untrusted`: no root here validates it. `expired`, `name-mismatch`: as Node says.
 * - `failed`: the handshake broke (reset, protocol error); `timeout`; `not-tried` (TCP failed, or not asked).
 */
export const TlsVerdict = Type.Union([
  Type.Literal('valid'),
  Type.Literal('inspected'),
  Type.Literal('untrusted'),
  Type.Literal('expired'),
  Type.Literal('name-mismatch'),
  Type.Literal('failed'),
  Type.Literal('timeout'),
  Type.Literal('not-tried'),
]);
export type TlsVerdict = Static<typeof TlsVerdict>;

/** TCP then TLS to one endpoint (host:port). */
export const EndpointProbe = Type.Object({
  host: Type.String(),
  port: Type.Integer(),
  tcp: TcpVerdict,
  tcpCode: Nullable(Type.String({ description: "Node's error code, e.g. ECONNREFUSED" })),
  tls: TlsVerdict,
  tlsCode: Nullable(Type.String({ description: "Node's error code, e.g. SELF_SIGNED_CERT_IN_CHAIN" })),
  issuer: Nullable(Type.String({ description: 'issuer of the topmost certificate the server sent (the root CA that signs the chain), e.g. "Zscaler Root CA"' })),
});
export type EndpointProbe = Static<typeof EndpointProbe>;

/** Probes of one destination: Zoom's hosts, or the FleetMedic server. */
export const ReachFacts = Type.Object({
  dns: Type.Array(DnsProbe),
  endpoints: Type.Array(EndpointProbe),
});
export type ReachFacts = Static<typeof ReachFacts>;

/**
 * The path from the Mac to Zoom and the software in it. Each part is null when it could not be
 * read (the section's problems say why), never an empty list standing for "could not read".
 */
export const NetworkFacts = Type.Object({
  zoom: ReachFacts,
  server: ReachFacts,
  proxy: Nullable(ProxyFacts),
  vpnServices: Nullable(Type.Array(VpnService)),
  systemExtensions: Nullable(Type.Array(SystemExtension)),
});
export type NetworkFacts = Static<typeof NetworkFacts>;
