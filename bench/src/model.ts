import type { HostFacts, SectionName, SectionOfName, Sections, Snapshot, TccEntry, UsbDevice } from '@fleetmedic/protocol';
import { contentHash } from '@fleetmedic/protocol/hash';
import { collectRecordedFleet } from '../../tests/support/recorded-fleet.js';

/**
 * How a simulated Mac differs from its recorded Mac right now. Each field is one of the small
 * changes real Macs see: Zoom's camera permission flipped in the user's TCC.db (allowed <-> denied),
 * a Logitech BRIO plugged into the first USB bus, Zoom updated `zoomBumps` times.
 */
export interface Variant {
  tccFlipped: boolean;
  usbPlugged: boolean;
  zoomBumps: number;
}

export type Change = 'tcc' | 'usb' | 'zoom';
export const NO_VARIANT: Variant = { tccFlipped: false, usbPlugged: false, zoomBumps: 0 };

/** A Logitech BRIO 4K (046d:085e) as SPUSBDataType reports it: 500 mA required of a 900 mA port. */
const BRIO: UsbDevice = {
  name: 'Logitech BRIO', kind: 'camera', vendorId: 0x046d, productId: 0x085e, vendorName: 'Logitech Inc.',
  serialNumber: 'SIM0BRIO', locationId: '0x01100000', speed: 'super', builtIn: false, selfPowered: false,
  power: { availableMa: 900, requiredMa: 500, allocatedMa: 500, extraMa: null, sleepMa: null, failedRequest: false },
  children: [],
};

/**
 * One recorded Mac's snapshot (collected by the agent's collectors over the replay runner) and its
 * variants. Section objects are built once per variant and shared by every simulated Mac in it,
 * never mutated, so their content hash and JSON size are computed once (`hash`, `bytes`).
 */
export class MacModel {
  private readonly cache = new Map<string, SectionOfName<SectionName>>();
  private static readonly hashes = new WeakMap<object, string>();
  private static readonly sizes = new WeakMap<object, number>();

  constructor(readonly name: string, readonly base: Snapshot) {}

  /** Every recorded Mac, collected by the agent's collectors over the replay runner. */
  static async loadAll(): Promise<MacModel[]> {
    return (await collectRecordedFleet()).map((r) => new MacModel(r.mac, r.snapshot));
  }

  /** Content hash of a section object, remembered per object (the protocol's contentHash). */
  static hash(section: unknown): string {
    return MacModel.remembered(MacModel.hashes, section, contentHash);
  }

  /** JSON size of a section object in UTF-8 bytes, remembered per object (the agent's message-limit check). */
  static bytes(section: unknown): number {
    return MacModel.remembered(MacModel.sizes, section, (s) => Buffer.byteLength(JSON.stringify(s)));
  }

  private static remembered<T>(memo: WeakMap<object, T>, section: unknown, compute: (section: unknown) => T): T {
    if (typeof section !== 'object' || section === null) return compute(section);
    let value = memo.get(section);
    if (value === undefined) {
      value = compute(section);
      memo.set(section, value);
    }
    return value;
  }

  /** Which changes this recorded Mac can show (a Mac without Zoom cannot update it). */
  get changes(): Change[] {
    const out: Change[] = [];
    if (this.zoomCameraEntry()) out.push('tcc');
    if (this.base.sections.usb.data?.buses.length) out.push('usb');
    if (this.base.sections.zoom.data?.installed && this.base.sections.zoom.data.shortVersion) out.push('zoom');
    return out;
  }

  /** The variant in which Zoom's camera row in the user's TCC.db is denied, or null when this Mac has no such row. */
  cameraDenied(v: Variant): Variant | null {
    const entry = this.zoomCameraEntry();
    if (!entry) return null;
    return { ...v, tccFlipped: entry.authValue === 2 };
  }

  /** The sections of a variant (every section as recorded but the varied ones); equal variants give the very same objects. */
  sections(v: Variant): Sections {
    const b = this.base.sections;
    return {
      ...b,
      zoom: v.zoomBumps ? this.memo(`zoom:${v.zoomBumps}`, () => this.bumpedZoom(v.zoomBumps)) : b.zoom,
      tcc: v.tccFlipped ? this.memo('tcc:flipped', () => this.flippedTcc()) : b.tcc,
      usb: v.usbPlugged ? this.memo('usb:brio', () => this.pluggedUsb()) : b.usb,
    };
  }

  /** A whole snapshot of this model as the Mac `host`, collected `now`. */
  snapshot(host: HostFacts, v: Variant, now: Date): Snapshot {
    return { ...this.base, collectedAt: now.toISOString(), host, sections: this.sections(v) };
  }

  private memo<T extends SectionOfName<SectionName>>(key: string, make: () => T): T {
    let s = this.cache.get(key);
    if (!s) {
      s = make();
      this.cache.set(key, s);
    }
    return s as T;
  }

  private zoomCameraEntry(): TccEntry | undefined {
    const dbs = this.base.sections.tcc.data?.databases ?? [];
    return dbs.filter((d) => d.scope === 'user' && d.status === 'ok')
      .flatMap((d) => d.entries)
      .find((e) => e.client === 'us.zoom.xos' && e.service === 'kTCCServiceCamera');
  }

  private flippedTcc(): Sections['tcc'] {
    const tcc = structuredClone(this.base.sections.tcc);
    for (const db of tcc.data?.databases ?? []) {
      if (db.scope !== 'user' || db.status !== 'ok') continue;
      for (const e of db.entries) {
        if (e.client !== 'us.zoom.xos' || e.service !== 'kTCCServiceCamera') continue;
        const allow = e.authValue !== 2;
        Object.assign(e, allow
          ? { authValue: 2, authValueName: 'allowed', authReason: 2, authReasonName: 'user-consent' }
          : { authValue: 0, authValueName: 'denied', authReason: 3, authReasonName: 'user-set' });
      }
    }
    return tcc;
  }

  private pluggedUsb(): Sections['usb'] {
    const usb = structuredClone(this.base.sections.usb);
    usb.data!.buses[0]!.devices.push(structuredClone(BRIO));
    return usb;
  }

  /** Zoom's CFBundleShortVersionString "7.1.5 (84650)" bumped n patch releases: "7.1.<5+n> (84650+n*100)". */
  private bumpedZoom(n: number): Sections['zoom'] {
    const zoom = structuredClone(this.base.sections.zoom);
    const d = zoom.data!;
    const m = /^(\d+)\.(\d+)\.(\d+)(?: \((\d+)\))?/.exec(d.shortVersion ?? '');
    if (!m) return zoom;
    const patch = Number(m[3]) + n;
    const build = m[4] ? Number(m[4]) + n * 100 : null;
    d.shortVersion = `${m[1]}.${m[2]}.${patch}${build ? ` (${build})` : ''}`;
    d.bundleVersion = `${m[1]}.${m[2]}.${patch}${build ? `.${build}` : ''}`;
    d.version = d.bundleVersion;
    return zoom;
  }
}

/** The variant after one change: the permission and the device toggle, Zoom only moves forward. */
export function applyChange(v: Variant, change: Change): Variant {
  switch (change) {
    case 'tcc': return { ...v, tccFlipped: !v.tccFlipped };
    case 'usb': return { ...v, usbPlugged: !v.usbPlugged };
    case 'zoom': return { ...v, zoomBumps: v.zoomBumps + 1 };
  }
}
