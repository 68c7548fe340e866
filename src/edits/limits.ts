/**
 * Limits of the tone and straightening controls (pure, no dependency: the web page's sliders use them
 * too); the renderer's other knobs are in config.
 */
export const EDIT_LIMITS = {
  /** Straightening is for a slightly tilted horizon, not for turning the picture. */
  maxStraightenDegrees: 15,
  minBrightness: 0.3,
  maxBrightness: 2,
} as const;
