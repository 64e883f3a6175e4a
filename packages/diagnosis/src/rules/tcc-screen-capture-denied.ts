import { tccDeniedRule } from './tcc-denied.js';

/** `tcc.screen-capture.denied`: kTCCServiceScreenCapture denied for Zoom (warning: sharing shows nothing). */
export const tccScreenCaptureDenied = tccDeniedRule(
  'tcc.screen-capture.denied', 'kTCCServiceScreenCapture', 'ScreenCapture', 'screen recording',
);
