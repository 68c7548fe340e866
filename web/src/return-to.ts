/** The page a signed-out visitor asked for, kept for this tab until sign-in takes them there. */
const KEY = 'lotreel.returnTo';

export const returnTo = {
  /** Remembers `hash` (a page of the editor, never the sign-in page itself). */
  remember(hash: string): void {
    if (hash && !hash.startsWith('#/sign-in')) sessionStorage.setItem(KEY, hash);
  },
  /** The page asked for (default: the video list), forgotten once read. */
  take(): string {
    const hash = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    return hash ?? '#/videos';
  },
};
