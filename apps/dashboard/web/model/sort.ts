/** Sort keys of `GET /api/v1/devices?sort=`: a field name, `-` prefix for descending. */
export const SORT_OPTIONS = [
  { value: '', label: 'Most problems first' },
  { value: 'hostname', label: 'Hostname A–Z' },
  { value: '-hostname', label: 'Hostname Z–A' },
  { value: '-lastSeenAt', label: 'Seen most recently' },
  { value: 'lastSeenAt', label: 'Seen longest ago' },
  { value: '-enrolledAt', label: 'Enrolled most recently' },
];

/** The list's default order (an empty `sort` in the URL): the Macs that need help first. */
export const DEFAULT_SORT = '-openFindings';
