import Type, { type Static } from 'typebox';

/** Bundle id pattern (reverse DNS), e.g. us.zoom.xos. */
export const BUNDLE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9-]*(\\.[A-Za-z0-9][A-Za-z0-9-]*)+$';
/**
 * An application bundle under /Applications: `/Applications/[<folder>/...]<name>.app[/]`, no
 * `.` or `..` segment, no empty segment, no control characters. The schema form of
 * refuseAppPath (remediation-scope.ts), which gives the reason in words.
 */
export const APP_PATH_PATTERN = '^/Applications/(?:(?!\\.\\.?/)[^/\\x00-\\x1f\\x7f]+/)*[^/\\x00-\\x1f\\x7f]+\\.[aA][pP][pP]/?$';

/**
 * TCC services an admin may reset, as `tccutil` names them (without the kTCCService prefix),
 * plus `All`. Source: kTCCService exported symbols of TCC.framework.
 */
export const TCC_RESETTABLE_SERVICES = [
  'All', 'Camera', 'Microphone', 'ScreenCapture', 'Accessibility', 'ListenEvent', 'PostEvent',
  'AppleEvents', 'SystemPolicyAllFiles', 'SystemPolicyDesktopFolder', 'SystemPolicyDocumentsFolder',
  'SystemPolicyDownloadsFolder', 'SystemPolicyNetworkVolumes', 'SystemPolicyRemovableVolumes',
  'AddressBook', 'Calendar', 'Reminders', 'Photos', 'BluetoothAlways', 'SpeechRecognition',
  'MediaLibrary', 'Motion', 'DeveloperTool', 'FileProviderDomain', 'FileProviderPresence',
] as const;
export type TccResettableService = (typeof TCC_RESETTABLE_SERVICES)[number];

export const TccResetParams = Type.Object(
  {
    service: Type.Enum(TCC_RESETTABLE_SERVICES),
    bundleId: Type.String({ pattern: BUNDLE_ID_PATTERN, maxLength: 255 }),
  },
  { additionalProperties: false },
);
export const FirewallAppParams = Type.Object(
  { appPath: Type.String({ pattern: APP_PATH_PATTERN, maxLength: 1024 }) },
  { additionalProperties: false },
);
export const EmptyParams = Type.Object({}, { additionalProperties: false });
/** A macOS short user name: letters, digits, `_`, `-` and `.`, not starting with `-` or `.`. */
export const USER_NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$';
/** `zoom.clear-caches`: one user's Zoom data folders, each named exactly (zoomDataPaths in remediation-scope.ts). */
export const ZoomClearCachesParams = Type.Object(
  {
    user: Type.String({ pattern: USER_NAME_PATTERN, maxLength: 255 }),
    paths: Type.Array(Type.String({ maxLength: 1024 }), { minItems: 1, maxItems: 3, uniqueItems: true }),
  },
  { additionalProperties: false },
);

/** The closed list of remediation actions: never shell text. */
export const Action = Type.Union([
  Type.Object({ type: Type.Literal('tcc.reset'), params: TccResetParams }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('firewall.allow'), params: FirewallAppParams }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('firewall.block'), params: FirewallAppParams }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('zoom.quit'), params: EmptyParams }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('agent.collect'), params: EmptyParams }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('zoom.clear-caches'), params: ZoomClearCachesParams }, { additionalProperties: false }),
]);
export type Action = Static<typeof Action>;
export type ActionType = Action['type'];
export const ACTION_TYPES: ActionType[] = ['tcc.reset', 'firewall.allow', 'firewall.block', 'zoom.quit', 'agent.collect', 'zoom.clear-caches'];

/** Command lifecycle states, stored in Postgres. */
export const COMMAND_STATUSES = ['queued', 'sent', 'acknowledged', 'succeeded', 'failed', 'timed_out', 'expired', 'cancelled'] as const;
export const CommandStatus = Type.Enum(COMMAND_STATUSES);
export type CommandStatus = (typeof COMMAND_STATUSES)[number];
export const TERMINAL_COMMAND_STATUSES: CommandStatus[] = ['succeeded', 'failed', 'timed_out', 'expired', 'cancelled'];

/** What the agent reports after running a command. Output is a tail, capped at COMMAND_OUTPUT_TAIL_BYTES. */
export const COMMAND_OUTPUT_TAIL_BYTES = 16 * 1024;
export const CommandResult = Type.Object({
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
  exitCode: Type.Union([Type.Integer({ minimum: -2147483648, maximum: 2147483647 }), Type.Null()]),
  stdout: Type.String({ maxLength: COMMAND_OUTPUT_TAIL_BYTES * 2 }),
  stderr: Type.String({ maxLength: COMMAND_OUTPUT_TAIL_BYTES * 2 }),
  reason: Type.Optional(Type.String({ description: 'why it failed, in words: refused parameter, no console user, MDM-managed, ...' })),
  argv: Type.Array(Type.Array(Type.String()), { description: 'the argument arrays run, in order' }),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.String({ format: 'date-time' }),
  durationMs: Type.Integer({ minimum: 0, maximum: 2147483647, description: 'ms; at most ~24.8 days' }),
});
export type CommandResult = Static<typeof CommandResult>;
