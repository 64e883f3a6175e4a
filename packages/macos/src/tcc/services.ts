/**
 * TCC service names (`kTCCService` + name) the agent accepts, e.g. for `tcc.reset`.
 * Source: the names exported by TCC.framework (fixtures/tcc/kTCCService-exported-symbols-TCCframework-stub.txt, ~macOS 12/13),
 * plus names tccd uses that are not exported but are seen in real TCC.db files or tccutil output
 * (FORMATS.md §4 and fixtures/INDEX.md: AudioCapture, SystemPolicyAppData, BluetoothPeripheral).
 */
export const KNOWN_TCC_SERVICES: readonly string[] = [
  'kTCCServiceAccessibility',
  'kTCCServiceAddressBook',
  'kTCCServiceAll',
  'kTCCServiceAppleEvents',
  'kTCCServiceBluetoothAlways',
  'kTCCServiceCalendar',
  'kTCCServiceCamera',
  'kTCCServiceContactsFull',
  'kTCCServiceContactsLimited',
  'kTCCServiceDeveloperTool',
  'kTCCServiceEndpointSecurityClient',
  'kTCCServiceFacebook',
  'kTCCServiceFileProviderDomain',
  'kTCCServiceFileProviderPresence',
  'kTCCServiceFocusStatus',
  'kTCCServiceGameCenterFriends',
  'kTCCServiceLinkedIn',
  'kTCCServiceListenEvent',
  'kTCCServiceLiverpool',
  'kTCCServiceLocation',
  'kTCCServiceMediaLibrary',
  'kTCCServiceMicrophone',
  'kTCCServiceMotion',
  'kTCCServicePhotos',
  'kTCCServicePhotosAdd',
  'kTCCServicePostEvent',
  'kTCCServicePrototype3Rights',
  'kTCCServicePrototype4Rights',
  'kTCCServiceReminders',
  'kTCCServiceScreenCapture',
  'kTCCServiceShareKit',
  'kTCCServiceSinaWeibo',
  'kTCCServiceSiri',
  'kTCCServiceSpeechRecognition',
  'kTCCServiceSystemPolicyAllFiles',
  'kTCCServiceSystemPolicyAppBundles',
  'kTCCServiceSystemPolicyDesktopFolder',
  'kTCCServiceSystemPolicyDeveloperFiles',
  'kTCCServiceSystemPolicyDocumentsFolder',
  'kTCCServiceSystemPolicyDownloadsFolder',
  'kTCCServiceSystemPolicyNetworkVolumes',
  'kTCCServiceSystemPolicyRemovableVolumes',
  'kTCCServiceSystemPolicySysAdminFiles',
  'kTCCServiceTencentWeibo',
  'kTCCServiceTwitter',
  'kTCCServiceUbiquity',
  'kTCCServiceUserAvailability',
  'kTCCServiceUserTracking',
  'kTCCServiceWebBrowserPublicKeyCredential',
  'kTCCServiceWebKitIntelligentTrackingPrevention',
  'kTCCServiceWillow',
  // Not exported by TCC.framework, seen in TCC.db / tccutil:
  'kTCCServiceAudioCapture',
  'kTCCServiceSystemPolicyAppData',
  'kTCCServiceBluetoothPeripheral',
];

const KNOWN = new Set(KNOWN_TCC_SERVICES);

/** True for a name in KNOWN_TCC_SERVICES ("kTCCServiceCamera"); short names ("Camera") are not accepted here. */
export const isKnownTccService = (name: string): boolean => KNOWN.has(name);

/** "kTCCServiceCamera" -> "Camera" (the form `tccutil reset` takes); other text unchanged. */
export const tccServiceShortName = (name: string): string => name.replace(/^kTCCService/, '');
