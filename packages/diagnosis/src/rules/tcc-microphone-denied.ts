import { tccDeniedRule } from './tcc-denied.js';

/** `tcc.microphone.denied`: kTCCServiceMicrophone denied for Zoom (critical: no computer audio). */
export const tccMicrophoneDenied = tccDeniedRule('tcc.microphone.denied', 'kTCCServiceMicrophone', 'Microphone', 'microphone', true);
