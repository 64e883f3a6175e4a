/**
 * Well-known security, VPN and network-filter vendors by Apple Developer Team ID (the `teamID`
 * column of `systemextensionsctl list`, the OU of the Developer ID certificate). Each entry names
 * the public source that shows this team id with this vendor: a real capture or a vendor's page.
 * Only sourced entries are listed; an unknown team id is shown as the id itself.
 */
export interface KnownVendor {
  teamId: string;
  vendor: string;
  /** Products seen shipping under this team id. */
  products: string;
  /** What its extensions do to traffic: the first thing an admin checks when Zoom cannot connect. */
  role: 'security' | 'vpn' | 'filter';
  source: string;
}

export const KNOWN_VENDORS: readonly KnownVendor[] = [
  { teamId: 'X9E956P446', vendor: 'CrowdStrike', products: 'Falcon', role: 'security', source: 'RamenDR/ramen test/drenv/providers/minikube/testdata/enabled-and-active.stdout (systemextensionsctl list: com.crowdstrike.falcon.Agent, "Falcon Sensor"); https://github.com/mondoohq/mql/pull/4371' },
  { teamId: 'DE8Y96K9QP', vendor: 'Cisco', products: 'Secure Client (AnyConnect)', role: 'vpn', source: 'RamenDR/ramen testdata enabled-and-active.stdout (com.cisco.anyconnect.macos.acsockext, "Cisco Secure Client - Socket Filter Extension"); https://github.com/mondoohq/mql/pull/4371' },
  { teamId: 'PXPZ95SK77', vendor: 'Palo Alto Networks', products: 'GlobalProtect', role: 'vpn', source: 'GlobalProtect uninstall script: `systemextensionsctl uninstall PXPZ95SK77 com.paloaltonetworks.GlobalProtect.client.extension` (find_string id 41746436006)' },
  { teamId: 'PCBCQZJ7S7', vendor: 'Zscaler', products: 'Zscaler Client Connector', role: 'filter', source: 'Zscaler help, deploying Zscaler Client Connector with Intune/Workspace ONE (macOS): "Team Identifier: Enter PCBCQZJ7S7", com.zscaler.zscaler.TRPTunnel (find_string ids 7878806973, 55613780955; https://help.zscaler.com/zscaler-client-connector/deploying-zscaler-client-connector-workspace-one-uem-macos)' },
  { teamId: '4AYE5J54KN', vendor: 'SentinelOne', products: 'Singularity agent', role: 'security', source: 'SentinelOne system extension / content filter profile: com.sentinelone.network-monitoring via Team ID 4AYE5J54KN (find_string ids 55733993097, 30502379997)' },
  { teamId: 'UBF8T346G9', vendor: 'Microsoft', products: 'Defender for Endpoint', role: 'security', source: 'https://github.com/munki/munki-facts/pull/26 (systemextensionsctl rows: com.microsoft.wdav.netext "Microsoft Defender Network Extension", com.microsoft.wdav.epsext)' },
  { teamId: '9PTGMPNXZ2', vendor: 'Symantec (Norton)', products: 'Norton / Symantec security', role: 'security', source: 'kext_policy rows 9PTGMPNXZ2|com.symantec.kext.internetSecurity|1|Symantec (find_string id 43897573809); `systemextensionsctl uninstall 9PTGMPNXZ2 com.symantec.mes.systemextension` (find_string id 7848863498)' },
  { teamId: 'Y2CCP3S9W7', vendor: 'Broadcom (Symantec Endpoint)', products: 'Symantec Endpoint Security', role: 'security', source: 'https://github.com/munki/munki-facts/pull/26 (com.broadcom.mes.systemextension "Symantec System Extension" [activated waiting for user])' },
  { teamId: 'GT8P3H7SPW', vendor: 'McAfee', products: 'McAfee security', role: 'security', source: '`sudo systemextensionsctl uninstall GT8P3H7SPW com.mcafee.CMF.networkextension` (find_string id 52805308758); https://discussions.apple.com/thread/254455105 (GT8P3H7SPW com.mcafee.CMF)' },
  { teamId: '2Y8XE5CQ94', vendor: 'Kaspersky', products: 'Kaspersky Internet Security', role: 'security', source: 'codesign of com.kaspersky.kav.downloader: TeamIdentifier=2Y8XE5CQ94 (find_string id 54619240752); NEMachServiceName 2Y8XE5CQ94.com.kaspersky.kav.sysext (find_string id 57972945452)' },
  { teamId: '2H5GFH3774', vendor: 'Sophos', products: 'Sophos Endpoint', role: 'security', source: '`systemextensionsctl uninstall 2H5GFH3774 com.sophos.endpoint.networkextension` with "para obtener el teamId (2H5GFH3774): systemextensionsctl list | grep sophos" (find_string id 41650593587)' },
  { teamId: '68WVV388M8', vendor: 'Cloudflare', products: 'WARP / Zero Trust client', role: 'vpn', source: 'Cloudflare_WARP.pkg signature "Developer ID Installer: Cloudflare Inc. (68WVV388M8)" (find_string id 60896877958)' },
  { teamId: 'VBG97UB4TA', vendor: 'Objective-See', products: 'LuLu firewall', role: 'filter', source: 'https://github.com/objective-see/LuLu/issues/331 (systemextensionsctl list: com.objective-see.lulu.extension)' },
  { teamId: 'TC3Q7MAJXF', vendor: 'AdGuard', products: 'AdGuard for Mac', role: 'filter', source: 'shared/fixtures/macos/sysext/sysextctl-list-3-network-extensions-one-waiting-for-user.txt (com.adguard.mac.adguard.network-extension)' },
  { teamId: 'P3FGV63VK7', vendor: 'Kandji', products: 'Kandji agent (ESF)', role: 'security', source: 'https://github.com/mondoohq/mql/pull/4371 (io.kandji.KandjiAgent.ESF-Extension)' },
];

const BY_TEAM = new Map(KNOWN_VENDORS.map((v) => [v.teamId, v]));

/** The known vendor of a Team ID, or undefined. */
export function vendorOf(teamId: string): KnownVendor | undefined {
  return BY_TEAM.get(teamId);
}
