import type { FindingId, Severity } from '@fleetmedic/protocol';

/** What an admin reads about one finding id: stable public text, keyed by the stable id. */
export interface CatalogEntry {
  id: FindingId;
  title: string;
  severity: Severity;
  /**
   * What it breaks in Zoom, in the user's words ("video cannot start"): the first thing the
   * dashboard and `agent doctor` say. No Zoom error number: Zoom's own pages tie none to these
   * causes (its desktop "error 5003" is not documented by Zoom; the 5003 of its Video SDK is
   * "session reconnecting"), so none is claimed.
   */
  breaks: string;
  /** What the finding means for Zoom, what it checks, and what fixes it. */
  description: string;
}

/** Every finding id the rules can emit, with its fixed severity. */
export const FINDING_CATALOG: Readonly<Record<FindingId, CatalogEntry>> = {
  'tcc.camera.denied': {
    id: 'tcc.camera.denied',
    title: 'Zoom is denied the camera',
    severity: 'critical',
    breaks: 'Video cannot start',
    description:
      'A TCC.db `access` row for Zoom (kTCCServiceCamera) has auth_value 0 (denied): macOS hands Zoom no camera, '
      + 'so video cannot start. Resetting the permission makes macOS ask again at the next Zoom launch. '
      + 'When auth_reason is mdm-policy, a PPPC profile from your MDM denies it and only changing that profile helps.',
  },
  'tcc.microphone.denied': {
    id: 'tcc.microphone.denied',
    title: 'Zoom is denied the microphone',
    severity: 'critical',
    breaks: 'Others cannot hear you',
    description:
      'A TCC.db `access` row for Zoom (kTCCServiceMicrophone) has auth_value 0 (denied): others cannot hear you: '
      + 'Zoom gets no microphone input. Resetting the permission makes macOS ask again at the next Zoom launch. '
      + 'When auth_reason is mdm-policy, a PPPC profile from your MDM denies it and only changing that profile helps.',
  },
  'tcc.screen-capture.denied': {
    id: 'tcc.screen-capture.denied',
    title: 'Zoom is denied screen recording',
    severity: 'warning',
    breaks: 'Screen sharing shows nothing',
    description:
      'A TCC.db `access` row for Zoom (kTCCServiceScreenCapture) has auth_value 0 (denied): screen sharing shows a '
      + 'blank or wallpaper-only picture. Calls still work. After a reset the user enables Zoom again under '
      + 'System Settings > Privacy & Security > Screen Recording.',
  },
  'tcc.unreadable': {
    id: 'tcc.unreadable',
    title: 'Privacy permissions could not be read',
    severity: 'warning',
    breaks: 'Unknown whether video and audio can start',
    description:
      'The agent could not read a TCC.db (usually because it lacks Full Disk Access), so Zoom\'s camera, microphone '
      + 'and screen recording permissions on this Mac are unknown, not healthy. Grant the agent Full Disk Access '
      + '(a PPPC profile with SystemPolicyAllFiles for the agent) and collect again.',
  },
  'firewall.blocks-zoom': {
    id: 'firewall.blocks-zoom',
    title: 'Application firewall blocks Zoom',
    severity: 'critical',
    breaks: 'Audio and video of calls fail',
    description:
      'The application firewall (ALF) is on and lists Zoom as "Block incoming connections": Zoom\'s UDP media '
      + 'cannot reach the Mac, so audio and video fail or fall back to slow TCP. Allowing Zoom in socketfilterfw fixes it.',
  },
  'firewall.block-all': {
    id: 'firewall.block-all',
    title: 'Application firewall blocks all incoming connections',
    severity: 'critical',
    breaks: 'Audio and video of calls can fail',
    description:
      'The application firewall is in "Block all incoming connections" mode (global state 2): per-app allow entries '
      + 'are ignored, so Zoom\'s UDP media can fail. Whether this Mac needs that mode is an admin decision; '
      + 'FleetMedic offers no automatic change.',
  },
  'usb.power.insufficient': {
    id: 'usb.power.insufficient',
    title: 'USB camera or audio device lacks power',
    severity: 'warning',
    breaks: 'The USB camera can drop out or video cannot start; a USB microphone or headset can cut out',
    description:
      'USB cameras or audio devices get less current than they need, so in Zoom the camera can drop out or video '
      + 'cannot start, and a microphone or headset can cut out mid-call. One finding per cause: a hub over its '
      + 'bus-power budget (its devices and itself require more mA than it can draw from its port) names every camera '
      + 'and audio device behind it; give the hub its own power supply or connect those devices directly to the Mac. '
      + 'A device whose own port cannot supply it (current required exceeds current available, or macOS reported the '
      + 'request failed) behind no such hub is a finding of its own: connect it directly to the Mac or use a powered hub.',
  },
  'usb.bandwidth.shared': {
    id: 'usb.bandwidth.shared',
    title: 'Cameras or audio devices share one USB 2.0 hub',
    severity: 'warning',
    breaks: 'A camera can fail to start or freeze while another streams',
    description:
      'Two or more USB cameras or audio devices sit behind one USB 2.0 (480 Mb/s) hub, so their video and audio '
      + 'streams share its one 480 Mb/s link: a camera can fail to start or freeze when another streams. Connect one '
      + 'of them to another port of the Mac or to a USB 3 hub.',
  },
  'zoom.outdated': {
    id: 'zoom.outdated',
    title: 'Zoom is older than the minimum version',
    severity: 'warning',
    breaks: 'Zoom may demand an update before joining',
    description:
      'The installed Zoom (CFBundleShortVersionString) is older than the policy\'s minimum Zoom version. '
      + 'Old clients miss fixes and can be forced to update before joining. Update Zoom through your usual deployment.',
  },
  'zoom.not-installed': {
    id: 'zoom.not-installed',
    title: 'Zoom is not installed',
    severity: 'critical',
    breaks: 'Cannot join from the Zoom app',
    description:
      'No Zoom app bundle was found at the policy\'s Zoom app path, so the user cannot join Zoom meetings from the '
      + 'desktop client. Deploy Zoom, or change the policy\'s app path if Zoom lives elsewhere.',
  },
  'macos.outdated': {
    id: 'macos.outdated',
    title: 'macOS is older than the minimum version',
    severity: 'warning',
    breaks: 'Current Zoom releases may not install',
    description:
      'sw_vers ProductVersion is older than the policy\'s minimum macOS version. Current Zoom releases drop old '
      + 'macOS versions, and old macOS lacks camera and audio fixes. Update macOS.',
  },
  'network.zoom-unreachable': {
    id: 'network.zoom-unreachable',
    title: 'Zoom cannot be reached from this Mac',
    severity: 'critical',
    breaks: 'Cannot reach Zoom: meetings do not connect',
    description:
      'The agent could not resolve, connect to or complete TLS with Zoom (the policy\'s hosts, default zoom.us and zoom.com) '
      + 'while the FleetMedic server was reachable: the network works, Zoom is blocked. Zoom then says "Unable to connect" '
      + 'or stays on "connecting". A sinkhole answer (0.0.0.0, 127.0.0.1) is a DNS filter\'s block. The evidence '
      + 'names the security software, VPN or proxy in the path: add Zoom (*.zoom.us, *.zoom.com) to the allowed list in that software. '
      + 'A Mac with no network at all gets no finding: its network panel says it is offline.',
  },
  'network.tls-inspected': {
    id: 'network.tls-inspected',
    title: "Zoom's traffic is TLS-inspected",
    severity: 'warning',
    breaks: 'Zoom may fail to connect, or call quality drops',
    description:
      "Zoom's certificate chain validates only against a root installed on this Mac, not against the public roots: a proxy "
      + 'or security product decrypts Zoom\'s traffic. Zoom pins its certificates in places and may refuse to connect, and '
      + 'media quality suffers. Exempt Zoom\'s domains (*.zoom.us, *.zoom.com) from TLS inspection in the product that issued the root.',
  },
  'network.extension-unsettled': {
    id: 'network.extension-unsettled',
    title: 'A network or security extension is not settled',
    severity: 'warning',
    breaks: 'Zoom traffic may be held or dropped',
    description:
      'A network extension (content filter, VPN, DNS proxy) or endpoint-security extension is waiting for the user\'s '
      + 'approval, for a restart, or still activating (`systemextensionsctl list`). Until it settles it can hold or drop '
      + 'traffic, Zoom\'s included. Approve it under System Settings > General > Login Items & Extensions (or by MDM), or restart the Mac.',
  },
  'zoom.damaged': {
    id: 'zoom.damaged',
    title: 'Zoom is damaged or not signed by Zoom',
    severity: 'critical',
    breaks: 'Zoom may not start, or macOS may block it',
    description:
      'A zoom.us.app on this Mac fails `codesign --verify --deep --strict` (a sealed resource missing or modified, an '
      + 'invalid or missing signature) or is not signed by Zoom\'s Team ID BJ4HAAB9B3: its files are not the ones Zoom shipped, '
      + 'so macOS may refuse to open it, deny it the camera and microphone, or it crashes. Reinstall Zoom through your usual '
      + 'deployment; clearing the user\'s Zoom caches and data (zoom.clear-caches) completes a clean reinstall, and on its own '
      + 'helps only when the app\'s signature is valid.',
  },
  'zoom.multiple-installs': {
    id: 'zoom.multiple-installs',
    title: 'More than one Zoom is installed',
    severity: 'warning',
    breaks: 'The user may launch an old or unmanaged Zoom',
    description:
      'Zoom is installed in more than one place (/Applications and a user\'s ~/Applications). Which copy opens from a meeting '
      + 'link or the Dock is Launch Services\' choice, so updates and fixes applied to one copy may not be the copy the user runs. '
      + 'Keep the deployed copy and remove the others.',
  },
  'devices.camera.none': {
    id: 'devices.camera.none',
    title: 'macOS sees no camera',
    severity: 'critical',
    breaks: 'Video cannot start: Zoom has no camera to offer',
    description:
      '`system_profiler SPCameraDataType` lists no camera at all, so no app (Zoom included) can start video. On a Mac mini, '
      + 'Mac Studio or Mac Pro the external webcam is unplugged or not enumerating; on a MacBook the built-in camera is '
      + 'not seen. Plug the webcam straight into the Mac, then restart the Mac if it still does not appear.',
  },
  'devices.camera.unlisted': {
    id: 'devices.camera.unlisted',
    title: 'A USB camera is connected but macOS does not list it as a camera',
    severity: 'warning',
    breaks: 'The webcam is missing from Zoom\'s camera list',
    description:
      'The USB tree has a camera (video class) that `system_profiler SPCameraDataType` does not list, matched by USB vendor id, '
      + 'product id and location id. The device enumerated but its video function did not start: too little power from its hub, '
      + 'too little bandwidth on a shared USB 2.0 link, or a failing device. Connect it directly to the Mac (or a powered USB 3 '
      + 'hub) and unplug other cameras on the same hub.',
  },
  'devices.microphone.none': {
    id: 'devices.microphone.none',
    title: 'macOS sees no microphone',
    severity: 'critical',
    breaks: 'Nobody can hear the user: Zoom has no microphone',
    description:
      '`system_profiler SPAudioDataType` lists no audio device with input channels (virtual devices such as a meeting app\'s '
      + 'loopback driver are not microphones). A Mac mini has no built-in microphone: connect a headset or USB microphone.',
  },
  'macos.update-pending': {
    id: 'macos.update-pending',
    title: 'A recommended macOS update is waiting',
    severity: 'info',
    breaks: 'Camera and audio fixes of the waiting update are not in place',
    description:
      '`softwareupdate --list` offers a recommended macOS update of the installed major release (e.g. 26.5.1 -> 26.7; an '
      + 'upgrade to the next major release is not counted). Point updates carry camera, audio and TCC fixes; install it '
      + 'through System Settings > General > Software Update or your MDM, then restart.',
  },
};
