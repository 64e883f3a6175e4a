import type { DevicesFacts } from '@fleetmedic/protocol';

const ids = (v: number | null, p: number | null) => (v === null || p === null ? '' : `${v.toString(16).padStart(4, '0')}:${p.toString(16).padStart(4, '0')}`);

/** The cameras and audio devices macOS lists, and the default input; a list that could not be read says so. */
export function CamerasAndMics({ data }: { data: DevicesFacts }) {
  const inputs = data.audio?.filter((a) => (a.inputChannels ?? 0) > 0) ?? [];
  return (
    <>
      <dl class="facts">
        <div><dt>Default input</dt><dd>{data.audio === null ? <span class="bad">could not be read</span> : data.defaultInput ?? <span class="bad">none</span>}</dd></div>
        <div><dt>Cameras</dt><dd data-testid="cameras">
          {data.cameras === null ? <span class="bad">could not be read</span>
            : data.cameras.length === 0 ? <span class="bad">macOS lists no camera</span>
              : data.cameras.map((c) => `${c.name}${c.vendorId !== null ? ` (USB ${ids(c.vendorId, c.productId)}${c.locationId ? ` at ${c.locationId}` : ''})` : ''}`).join(', ')}
        </dd></div>
        <div><dt>Microphones</dt><dd data-testid="microphones">
          {data.audio === null ? <span class="bad">could not be read</span>
            : inputs.length === 0 ? <span class="bad">none</span>
              : inputs.map((a) => `${a.name} (${a.transport ?? 'transport unknown'}, ${a.inputChannels} in)`).join(', ')}
        </dd></div>
      </dl>
    </>
  );
}
