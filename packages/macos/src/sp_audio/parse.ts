import type { AudioDevice } from '@fleetmedic/protocol';
import { failed, jsonArrayAt, parsed, type ParseResult } from '../result.js';
import { buildTextTree, type TextNode } from '../usb/indented.js';

/** Deepest `_items` nesting walked (real output nests one level; older releases two). */
const MAX_DEPTH = 8;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : typeof v === 'string' && /^\d{1,4}$/.test(v.trim()) ? Number(v) : null);

/**
 * `system_profiler -json SPAudioDataType` -> every CoreAudio device (leaves of the `_items` tree).
 * `coreaudio_device_input` / `_output` are channel counts; `coreaudio_device_transport` loses its
 * `coreaudio_device_type_` prefix ("builtin", "usb", "displayport", "virtual", "unknown");
 * `coreaudio_default_audio_input_device: "spaudio_yes"` marks the default input. Fails on non-JSON
 * or a missing SPAudioDataType array. Sources: recorded-macs/extra-captures/SPAudioDataType-json-*.
 */
export function parseSpAudioJson(text: string): ParseResult<AudioDevice[]> {
  const doc = jsonArrayAt(text, 'SPAudioDataType', 'system_profiler output');
  if (!doc.ok) return doc;
  const groups = doc.value;
  const problems: string[] = [];
  const devices: AudioDevice[] = [];
  const walk = (items: unknown[], depth: number): void => {
    for (const raw of items) {
      const item = (raw ?? {}) as Record<string, unknown>;
      if (Array.isArray(item._items)) {
        if (depth < MAX_DEPTH) walk(item._items, depth + 1);
        else problems.push(`_items nested deeper than ${MAX_DEPTH}: skipped`);
        continue;
      }
      const name = str(item._name);
      if (!name) {
        problems.push('an audio device without _name: skipped');
        continue;
      }
      devices.push({
        name,
        inputChannels: int(item.coreaudio_device_input),
        outputChannels: int(item.coreaudio_device_output),
        transport: str(item.coreaudio_device_transport)?.replace(/^coreaudio_device_type_/, '') ?? null,
        manufacturer: str(item.coreaudio_device_manufacturer),
        defaultInput: item.coreaudio_default_audio_input_device === 'spaudio_yes',
        defaultOutput: item.coreaudio_default_audio_output_device === 'spaudio_yes',
      });
    }
  };
  walk(groups, 0);
  return parsed(devices, problems);
}

/** Text transport labels -> the JSON form's tokens, so both read alike. */
const TRANSPORTS: Record<string, string> = { 'built-in': 'builtin', usb: 'usb', bluetooth: 'bluetooth', displayport: 'displayport', hdmi: 'hdmi', virtual: 'virtual', unknown: 'unknown', airplay: 'airplay', thunderbolt: 'thunderbolt' };

function textDevice(node: TextNode, name: string): AudioDevice {
  const p = (k: string) => node.props.get(k) ?? null;
  const transport = p('Transport');
  return {
    name,
    inputChannels: int(p('Input Channels')),
    outputChannels: int(p('Output Channels')),
    transport: transport === null ? null : TRANSPORTS[transport.toLowerCase()] ?? transport,
    manufacturer: p('Manufacturer'),
    defaultInput: p('Default Input Device') === 'Yes',
    defaultOutput: p('Default Output Device') === 'Yes',
  };
}

/**
 * `system_profiler SPAudioDataType` text -> every device: "Audio:" > "Devices:" > one header per device
 * with "Input Channels:", "Output Channels:", "Transport:", "Default Input Device: Yes" (labels stay
 * English on localized systems; device names do not). An excerpt that starts inside a device keeps
 * the named devices after it and says how many lines it skipped. Fails when no device header is found.
 * Sources: shared/fixtures/macos/locale/SPAudioDataType-ru-RU-excerpt-carthing.txt.
 */
export function parseSpAudioText(text: string): ParseResult<AudioDevice[]> {
  const tree = buildTextTree(text);
  const problems = [...tree.problems];
  const devices: AudioDevice[] = [];
  const visit = (nodes: TextNode[]): void => {
    for (const n of nodes) {
      if (n.title === null) {
        problems.push(`an excerpt starting inside a device: its ${n.props.size} field(s) before the first device name skipped`);
      } else if (n.title === 'Audio' || n.title === 'Devices') {
        visit(n.children);
      } else {
        devices.push(textDevice(n, n.title));
      }
      if (n.title === null) visit(n.children);
    }
  };
  visit(tree.roots);
  return devices.length > 0 ? parsed(devices, problems) : failed('no audio device header in system_profiler SPAudioDataType output', problems);
}

/** The name of the device flagged as default input, else null (none flagged: macOS has no input). */
export const defaultInputName = (devices: AudioDevice[]): string | null => devices.find((d) => d.defaultInput)?.name ?? null;
