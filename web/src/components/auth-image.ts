/** An <img> of an API image: fetched with the token (an <img> cannot send it), marked broken on failure. */
import { imageUrl } from '../api.js';
import { h } from '../dom.js';

export function authImage(path: string, alt: string, className = ''): HTMLImageElement {
  const img = h('img', { alt, className, loading: 'lazy' });
  imageUrl(path).then((url) => (img.src = url), () => img.classList.add('broken'));
  return img;
}
