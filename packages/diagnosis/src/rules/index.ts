import type { Rule } from '../rule.js';
import { devicesCameraNone } from './devices-camera-none.js';
import { devicesCameraUnlisted } from './devices-camera-unlisted.js';
import { devicesMicrophoneNone } from './devices-microphone-none.js';
import { firewallBlockAll } from './firewall-block-all.js';
import { firewallBlocksZoom } from './firewall-blocks-zoom.js';
import { macosOutdated } from './macos-outdated.js';
import { macosUpdatePending } from './macos-update-pending.js';
import { networkExtensionUnsettled } from './network-extension-unsettled.js';
import { networkTlsInspected } from './network-tls-inspected.js';
import { networkZoomUnreachable } from './network-zoom-unreachable.js';
import { tccCameraDenied } from './tcc-camera-denied.js';
import { tccMicrophoneDenied } from './tcc-microphone-denied.js';
import { tccScreenCaptureDenied } from './tcc-screen-capture-denied.js';
import { tccUnreadable } from './tcc-unreadable.js';
import { usbBandwidthShared } from './usb-bandwidth-shared.js';
import { usbPowerInsufficient } from './usb-power-insufficient.js';
import { zoomDamaged } from './zoom-damaged.js';
import { zoomMultipleInstalls } from './zoom-multiple-installs.js';
import { zoomNotInstalled } from './zoom-not-installed.js';
import { zoomOutdated } from './zoom-outdated.js';

/** Every rule, one per finding id, in FINDING_IDS order. */
export const RULES: readonly Rule[] = [
  tccCameraDenied,
  tccMicrophoneDenied,
  tccScreenCaptureDenied,
  tccUnreadable,
  firewallBlocksZoom,
  firewallBlockAll,
  usbPowerInsufficient,
  usbBandwidthShared,
  zoomOutdated,
  zoomNotInstalled,
  macosOutdated,
  networkZoomUnreachable,
  networkTlsInspected,
  networkExtensionUnsettled,
  zoomDamaged,
  zoomMultipleInstalls,
  devicesCameraNone,
  devicesCameraUnlisted,
  devicesMicrophoneNone,
  macosUpdatePending,
];
