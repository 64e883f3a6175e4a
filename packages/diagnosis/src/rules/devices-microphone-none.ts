import type { AudioDevice, Finding, Snapshot } from '@fleetmedic/protocol';
import { CannotJudge, catalogHeader, makeFinding, sectionData, type Rule } from '../rule.js';

/** A device that can capture sound from the room: input channels, not a virtual (software) device. */
export const isMicrophone = (d: AudioDevice): boolean => (d.inputChannels ?? 0) > 0 && d.transport !== 'virtual';

/**
 * `devices.microphone.none`: SPAudioDataType has no device with input channels other than virtual
 * ones (a meeting app's loopback driver hears no one). Key `devices.microphone.none:system`.
 * An audio list that could not be read (null): cannot judge.
 */
export const devicesMicrophoneNone: Rule = {
  ...catalogHeader('devices.microphone.none'),
  sections: ['devices'],
  evaluate(snapshot: Snapshot): Finding[] {
    const devices = sectionData(snapshot, 'devices');
    if (!devices) return [];
    if (devices.audio === null) throw new CannotJudge('devices', 'the audio device list (system_profiler SPAudioDataType) could not be read');
    if (devices.audio.some(isMicrophone)) return [];
    const virtual = devices.audio.filter((d) => (d.inputChannels ?? 0) > 0).map((d) => d.name);
    return [makeFinding('devices.microphone.none', 'system', [{
      section: 'devices',
      detail: `system_profiler SPAudioDataType lists no microphone${virtual.length ? ` (only the virtual input${virtual.length > 1 ? 's' : ''} ${virtual.join(', ')})` : ''}; `
        + `audio devices: ${devices.audio.map((d) => d.name).join(', ') || 'none'}.`,
      value: { audio: devices.audio.map((d) => ({ name: d.name, inputChannels: d.inputChannels, transport: d.transport })) },
    }], { summary: 'Connect a headset or USB microphone (a Mac mini has no built-in microphone).' })];
  },
};
