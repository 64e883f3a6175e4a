import type { FindingId, Severity } from '@fleetmedic/protocol';

/** What an admin reads about one finding id: stable public text, keyed by the stable id. */
export interface CatalogEntry {
  id: FindingId;
  title: string;
  severity: Severity;
  /** What the finding means for Zoom, what it checks, and what fixes it. */
  description: string;
}

/** Every finding id the rules can emit, with its fixed severity. */
export const FINDING_CATALOG: Readonly<Record<FindingId, CatalogEntry>> = {
  'tcc.camera.denied': {
    id: 'tcc.camera.denied',
    title: 'Zoom is denied the camera',
    severity: 'critical',
    description:
      'A TCC.db `access` row for Zoom (kTCCServiceCamera) has auth_value 0 (denied): macOS hands Zoom no camera, '
      + 'so video cannot start (error 5003). Resetting the permission makes macOS ask again at the next Zoom launch. '
      + 'When auth_reason is mdm-policy, a PPPC profile from your MDM denies it and only changing that profile helps.',
  },
  'tcc.microphone.denied': {
    id: 'tcc.microphone.denied',
    title: 'Zoom is denied the microphone',
    severity: 'critical',
    description:
      'A TCC.db `access` row for Zoom (kTCCServiceMicrophone) has auth_value 0 (denied): others cannot hear the user '
      + 'and joining computer audio fails. Resetting the permission makes macOS ask again at the next Zoom launch. '
      + 'When auth_reason is mdm-policy, a PPPC profile from your MDM denies it and only changing that profile helps.',
  },
  'tcc.screen-capture.denied': {
    id: 'tcc.screen-capture.denied',
    title: 'Zoom is denied screen recording',
    severity: 'warning',
    description:
      'A TCC.db `access` row for Zoom (kTCCServiceScreenCapture) has auth_value 0 (denied): screen sharing shows a '
      + 'blank or wallpaper-only picture. Calls still work. After a reset the user enables Zoom again under '
      + 'System Settings > Privacy & Security > Screen Recording.',
  },
  'tcc.unreadable': {
    id: 'tcc.unreadable',
    title: 'Privacy permissions could not be read',
    severity: 'warning',
    description:
      'The agent could not read a TCC.db (usually because it lacks Full Disk Access), so Zoom\'s camera, microphone '
      + 'and screen recording permissions on this Mac are unknown, not healthy. Grant the agent Full Disk Access '
      + '(a PPPC profile with SystemPolicyAllFiles for the agent) and collect again.',
  },
  'firewall.blocks-zoom': {
    id: 'firewall.blocks-zoom',
    title: 'Application firewall blocks Zoom',
    severity: 'critical',
    description:
      'The application firewall (ALF) is on and lists Zoom as "Block incoming connections": Zoom\'s UDP media '
      + 'cannot reach the Mac, so audio and video fail or fall back to slow TCP. Allowing Zoom in socketfilterfw fixes it.',
  },
  'firewall.block-all': {
    id: 'firewall.block-all',
    title: 'Application firewall blocks all incoming connections',
    severity: 'critical',
    description:
      'The application firewall is in "Block all incoming connections" mode (global state 2): per-app allow entries '
      + 'are ignored, so Zoom\'s UDP media can fail. Whether this Mac needs that mode is an admin decision; '
      + 'FleetMedic offers no automatic change.',
  },
  'usb.power.insufficient': {
    id: 'usb.power.insufficient',
    title: 'USB camera or audio device lacks power',
    severity: 'warning',
    description:
      'A USB camera or audio device asked for more current than its port or its bus-powered hub can supply '
      + '(macOS reported the request failed, or current required exceeds current available in mA). Such devices '
      + 'drop out or stop streaming mid-call. Connect the device directly to the Mac or use a powered hub.',
  },
  'usb.bandwidth.shared': {
    id: 'usb.bandwidth.shared',
    title: 'Cameras or audio devices share one USB 2.0 hub',
    severity: 'warning',
    description:
      'Two or more USB cameras or audio devices sit behind one USB 2.0 (480 Mb/s) hub, so their video and audio '
      + 'streams share its one 480 Mb/s link: a camera can fail to start or freeze when another streams. Connect one '
      + 'of them to another port of the Mac or to a USB 3 hub.',
  },
  'zoom.outdated': {
    id: 'zoom.outdated',
    title: 'Zoom is older than the minimum version',
    severity: 'warning',
    description:
      'The installed Zoom (CFBundleShortVersionString) is older than the policy\'s minimum Zoom version. '
      + 'Old clients miss fixes and can be forced to update before joining. Update Zoom through your usual deployment.',
  },
  'zoom.not-installed': {
    id: 'zoom.not-installed',
    title: 'Zoom is not installed',
    severity: 'critical',
    description:
      'No Zoom app bundle was found at the policy\'s Zoom app path, so the user cannot join Zoom meetings from the '
      + 'desktop client. Deploy Zoom, or change the policy\'s app path if Zoom lives elsewhere.',
  },
  'macos.outdated': {
    id: 'macos.outdated',
    title: 'macOS is older than the minimum version',
    severity: 'warning',
    description:
      'sw_vers ProductVersion is older than the policy\'s minimum macOS version. Current Zoom releases drop old '
      + 'macOS versions, and old macOS lacks camera and audio fixes. Update macOS.',
  },
};
