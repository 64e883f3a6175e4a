import { tccDeniedRule } from './tcc-denied.js';

/** `tcc.camera.denied`: kTCCServiceCamera denied for Zoom (critical: video cannot start). */
export const tccCameraDenied = tccDeniedRule('tcc.camera.denied', 'kTCCServiceCamera', 'Camera', 'camera', true);
