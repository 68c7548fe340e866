/**
 * The crop and blur tool: a Cropper.js selection over a picture, resolved in that picture's
 * full-resolution pixels (the server maps it to the original frame).
 */
import Cropper from 'cropperjs';
import { imageUrl } from '../api.js';
import type { Box, Size } from '../api-types.js';
import { h } from '../dom.js';
import { flash } from './toast.js';

const TEMPLATE =
  '<cropper-canvas background>' +
  '<cropper-image></cropper-image>' +
  '<cropper-shade hidden></cropper-shade>' +
  '<cropper-handle action="select" plain></cropper-handle>' +
  '<cropper-selection initial-coverage="0.8" movable resizable>' +
  '<cropper-grid role="grid" bordered covered></cropper-grid>' +
  '<cropper-handle action="move" theme-color="rgba(255,255,255,0.35)"></cropper-handle>' +
  '<cropper-handle action="n-resize"></cropper-handle><cropper-handle action="e-resize"></cropper-handle>' +
  '<cropper-handle action="s-resize"></cropper-handle><cropper-handle action="w-resize"></cropper-handle>' +
  '<cropper-handle action="ne-resize"></cropper-handle><cropper-handle action="nw-resize"></cropper-handle>' +
  '<cropper-handle action="se-resize"></cropper-handle><cropper-handle action="sw-resize"></cropper-handle>' +
  '</cropper-selection></cropper-canvas>';

/**
 * Shows the tool in `panel` over `imagePath` (whose full size is `full`); `apply` gets the selection,
 * `back` redraws the panel (cancelled, or nothing selected).
 */
export function selectRegion(panel: HTMLElement, imagePath: string, full: Size, title: string, apply: (box: Box) => Promise<void>, back: () => void): void {
  const img = h('img', { alt: title, className: 'crop-source' });
  const holder = h('div', { className: 'cropper-holder' }, img);
  let cropper: Cropper | null = null;
  const done = h(
    'button',
    {
      type: 'button',
      id: 'apply-region',
      onclick: async () => {
        const image = cropper?.getCropperImage();
        const selection = cropper?.getCropperSelection();
        if (!image || !selection) return;
        // The image is neither turned nor scaled in the widget: screen rectangles map linearly.
        const i = image.getBoundingClientRect();
        const s = selection.getBoundingClientRect();
        const fx = full.width / i.width;
        const fy = full.height / i.height;
        const box = {
          x1: Math.max(0, (s.left - i.left) * fx),
          y1: Math.max(0, (s.top - i.top) * fy),
          x2: Math.min(full.width, (s.right - i.left) * fx),
          y2: Math.min(full.height, (s.bottom - i.top) * fy),
        };
        cropper?.destroy();
        if (box.x2 - box.x1 >= 1 && box.y2 - box.y1 >= 1) await apply(box);
        else back();
      },
    },
    `Apply ${title.toLowerCase()}`,
  );
  const cancel = h('button', { type: 'button', className: 'secondary', onclick: () => { cropper?.destroy(); back(); } }, 'Cancel');
  panel.replaceChildren(h('h2', {}, title), holder, h('div', { className: 'actions' }, done, cancel));
  imageUrl(imagePath).then((url) => {
    img.onload = () => {
      cropper = new Cropper(img, { template: TEMPLATE });
      void fitSelection(cropper).then(() => (holder.dataset.ready = 'true'));
    };
    img.src = url;
  }, () => flash('The photo could not be loaded.'));
}

/** Starts the selection on 80 % of the picture (not of the widget) and keeps it inside the picture. */
async function fitSelection(cropper: Cropper): Promise<void> {
  const canvas = cropper.getCropperCanvas();
  const image = cropper.getCropperImage();
  const selection = cropper.getCropperSelection();
  if (!canvas || !image || !selection) return;
  await image.$ready();
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const c = canvas.getBoundingClientRect();
  const i = image.getBoundingClientRect();
  const bounds = { x: i.left - c.left, y: i.top - c.top, width: i.width, height: i.height };
  selection.addEventListener('change', (event) => {
    const d = (event as CustomEvent<{ x: number; y: number; width: number; height: number }>).detail;
    const outside = d.x < bounds.x - 0.5 || d.y < bounds.y - 0.5 || d.x + d.width > bounds.x + bounds.width + 0.5 || d.y + d.height > bounds.y + bounds.height + 0.5;
    if (outside) event.preventDefault();
  });
  selection.$change(bounds.x + bounds.width * 0.1, bounds.y + bounds.height * 0.1, bounds.width * 0.8, bounds.height * 0.8);
}
