/**
 * The seller's editor page: sign in with the dealer token, the uploaded videos with live progress,
 * one card per car, and the draft editor (fields with their sources, photo edits, order, cover,
 * another frame of the video). Plain TypeScript and the DOM; routes are URL hashes. The API's types,
 * its lists and the edit folding come from the server's own modules (src/), never copied here.
 */
import 'whatwg-fetch';
import { token } from './api.js';
import { draftEditorPage } from './pages/draft-editor.js';
import { signInPage } from './pages/sign-in.js';
import { videoCarsPage } from './pages/video-cars.js';
import { videoListPage } from './pages/video-list.js';
import { returnTo } from './return-to.js';
import { listenForShortcuts } from './shortcuts.js';
import './styles.css';

async function route(): Promise<void> {
  const signOut = document.getElementById('sign-out')!;
  signOut.hidden = token.get() === null;
  const hash = location.hash.replace(/^#/, '') || '/videos';
  if (hash === '/sign-in') return signInPage();
  if (token.get() === null) {
    // A link to a draft opened signed out comes back to that draft after sign-in.
    returnTo.remember(location.hash);
    location.hash = '#/sign-in';
    return;
  }
  const parts = hash.split('/').filter(Boolean);
  if (parts[0] === 'videos' && parts[1]) return videoCarsPage(parts[1]);
  if (parts[0] === 'drafts' && parts[1]) return draftEditorPage(parts[1]);
  return videoListPage();
}

document.getElementById('sign-out')!.addEventListener('click', () => {
  token.clear();
  location.hash = '#/sign-in';
});
listenForShortcuts();
window.addEventListener('hashchange', () => void route());
void route();
