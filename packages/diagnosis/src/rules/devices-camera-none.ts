import type { Finding, Snapshot } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';

/**
 * `devices.camera.none`: SPCameraDataType lists no camera (`[]`). Key `devices.camera.none:system`.
 * A camera list that could not be read (null): cannot judge, never "no camera".
 */
export const devicesCameraNone: Rule = {
  ...catalogHeader('devices.camera.none'),
  sections: ['devices'],
  evaluate(snapshot: Snapshot): Finding[] {
    const devices = sectionData(snapshot, 'devices');
    if (!devices) return [];
    if (devices.cameras === null) throw new CannotJudge('devices', 'the camera list (system_profiler SPCameraDataType) could not be read');
    if (devices.cameras.length > 0) return [];
    return [makeFinding('devices.camera.none', 'system', [{
      section: 'devices',
      detail: 'system_profiler SPCameraDataType lists no camera.',
      value: { cameras: [] },
    }], { summary: 'Plug the webcam straight into the Mac; if it still does not appear, restart the Mac or try another webcam.' })];
  },
};
