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
import './styles.css';

async function route(): Promise<void> {
  const signOut = document.getElementById('sign-out')!;
  signOut.hidden = token.get() === null;
  const hash = location.hash.replace(/^#/, '') || '/videos';
  if (token.get() === null || hash === '/sign-in') return signInPage();
  const parts = hash.split('/').filter(Boolean);
  if (parts[0] === 'videos' && parts[1]) return videoCarsPage(parts[1]);
  if (parts[0] === 'drafts' && parts[1]) return draftEditorPage(parts[1]);
  return videoListPage();
}

document.getElementById('sign-out')!.addEventListener('click', () => {
  token.clear();
  location.hash = '#/sign-in';
});
window.addEventListener('hashchange', () => void route());
void route();
