/** The reel formats (pure, no imports: the web page's types read them through the API's schemas). */
export const REEL_FORMATS = ['vertical', 'horizontal', 'square'] as const;
export type ReelFormat = (typeof REEL_FORMATS)[number];
