/** Sort keys of `GET /api/v1/devices?sort=`: `worst`, or a field name with `-` prefix for descending. */
export const SORT_OPTIONS = [
  { value: '', label: 'Worst first' },
  { value: 'hostname', label: 'Hostname A–Z' },
  { value: '-hostname', label: 'Hostname Z–A' },
  { value: '-lastSeenAt', label: 'Seen most recently' },
  { value: 'lastSeenAt', label: 'Seen longest ago' },
  { value: '-enrolledAt', label: 'Enrolled most recently' },
];

/**
 * The list's default order (an empty `sort` in the URL), the API's own default: cannot join, then
 * unknown, then at risk, then ready; within each, the most distinct causes, then the oldest problem.
 */
export const DEFAULT_SORT = 'worst';
