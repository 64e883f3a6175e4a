/** USB topology parsers (system_profiler SPUSBDataType / SPUSBHostDataType, ioreg -p IOUSB) and tree helpers. */
export { parseSpUsbJson, EMPTY_SPUSB } from './sp-json.js';
export { parseSpUsbXml } from './sp-xml.js';
export { parseSpUsbText, parseSpUsbHostText } from './sp-text.js';
export { parseSpUsbHostJson } from './sp-host-json.js';
export { parseIoregUsb } from './ioreg.js';
export { selectUsb, type UsbOutputs } from './select.js';
export { walkUsb, hubPowerSummary, hubSelfPowered, usb3HubPairs, type UsbWalkEntry, type UsbHubPair, type HubPowerSummary } from './walk.js';
export { joinCamerasWithUsb, type CameraJoin, type CameraMatch } from './camera-join.js';
export { classifyKind, normaliseSpeed, parseLocationId, parseMa, parseVendorId } from './normalize.js';
