/** Filters of the device list, as they appear in the URL and in `GET /api/v1/devices`. */
export interface DeviceFilters {
  search: string;
  finding: string;
  health: string;
  online: string;
  sort: string;
  /** page size; '' = the default (50) */
  limit: string;
}

/** The pages, addressed by the URL hash (`#/`, `#/devices?finding=...`, `#/devices/<id>`). */
export type Route =
  | { page: 'overview' }
  | { page: 'devices'; filters: DeviceFilters }
  | { page: 'device'; id: string }
  | { page: 'not-found'; path: string };

export const EMPTY_FILTERS: DeviceFilters = { search: '', finding: '', health: '', online: '', sort: '', limit: '' };

/** Reads a location hash such as `#/devices?health=problems`. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = raw.split('?', 2);
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return { page: 'overview' };
  if (parts[0] === 'devices' && parts.length === 1) {
    const filters = { ...EMPTY_FILTERS };
    for (const key of Object.keys(filters) as (keyof DeviceFilters)[]) filters[key] = params.get(key) ?? '';
    return { page: 'devices', filters };
  }
  if (parts[0] === 'devices' && parts.length === 2) return { page: 'device', id: decodeURIComponent(parts[1]!) };
  return { page: 'not-found', path };
}

/** The hash link of a route, e.g. `#/devices?finding=tcc.camera.denied`. */
export function href(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'devices': {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(route.filters)) if (value) params.set(key, value);
      const q = params.toString();
      return `#/devices${q ? `?${q}` : ''}`;
    }
    case 'device':
      return `#/devices/${encodeURIComponent(route.id)}`;
    case 'not-found':
      return `#${route.path}`;
  }
}

/** Link to the device list with some filters set. */
export const devicesHref = (filters: Partial<DeviceFilters> = {}): string =>
  href({ page: 'devices', filters: { ...EMPTY_FILTERS, ...filters } });
