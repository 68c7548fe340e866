/**
 * The crop and blur tool: press and drag over the picture to draw a box (a new drag draws a new box,
 * it never moves the old one), zoom in for a small area (a plate a few pixels high), apply. The box is
 * kept in the picture's full-resolution pixels (the server maps it to the original frame), so zooming
 * never changes it.
 */
import { imageUrl } from '../api.js';
import type { Box, Size } from '../api-types.js';
import { h } from '../dom.js';
import { clampZoom, drawnBox, ZOOM_STEPS } from '../region-geometry.js';
import { setToolShortcuts } from '../shortcuts.js';
import { flash } from './toast.js';

export interface RegionTool {
  /** The heading and the apply button's word ("Crop", "Blur"). */
  title: string;
  /** Words under the picture while the box is drawn (its size, a warning when small). */
  describe?: (box: Box) => { text: string; warn: boolean };
  apply: (box: Box) => Promise<void>;
  /** Redraws the panel (cancelled, or applied). */
  back: () => void;
}

/** Shows the tool in `panel` over `imagePath`, a picture whose full size is `full`. */
export function selectRegion(panel: HTMLElement, imagePath: string, full: Size, tool: RegionTool): void {
  let box: Box | null = null;
  let zoom = 1;
  const img = h('img', { alt: tool.title, className: 'region-image', draggable: false });
  const frame = h('div', { className: 'region-box', hidden: true });
  const stage = h('div', { className: 'region-stage', id: 'region-stage' }, img, frame);
  const viewport = h('div', { className: 'region-viewport', id: 'region-viewport' }, stage);
  const info = h('p', { className: 'muted region-info', id: 'region-info' }, 'Press and drag over the picture to draw a box.');
  const zoomLabel = h('output', { id: 'zoom-level' }, '1×');
  const apply = h('button', { type: 'button', id: 'apply-region', className: 'primary', disabled: true, title: 'Enter' }, `Apply ${tool.title.toLowerCase()}`);

  /** The stage's width at zoom 1: the picture fits the viewport's width and a height limit. */
  const fitWidth = () => Math.min(viewport.clientWidth || full.width, (window.innerHeight * 0.55 * full.width) / full.height);
  const layout = () => {
    const width = fitWidth() * zoom;
    stage.style.width = `${width}px`;
    stage.style.height = `${(width * full.height) / full.width}px`;
    zoomLabel.textContent = `${zoom}×`;
  };
  const drawBox = () => {
    frame.hidden = box === null;
    apply.disabled = box === null;
    if (!box) return;
    Object.assign(frame.style, {
      left: `${(box.x1 / full.width) * 100}%`,
      top: `${(box.y1 / full.height) * 100}%`,
      width: `${((box.x2 - box.x1) / full.width) * 100}%`,
      height: `${((box.y2 - box.y1) / full.height) * 100}%`,
    });
    const said = tool.describe?.(box) ?? { text: `${Math.round(box.x2 - box.x1)}×${Math.round(box.y2 - box.y1)} px`, warn: false };
    info.textContent = said.text;
    info.classList.toggle('warn', said.warn);
  };
  /** Zooms keeping the box (or the middle of the view) in the middle of the view. */
  const zoomTo = (next: number) => {
    const rect = stage.getBoundingClientRect();
    const centre = box
      ? { x: (box.x1 + box.x2) / 2 / full.width, y: (box.y1 + box.y2) / 2 / full.height }
      : { x: (viewport.scrollLeft + viewport.clientWidth / 2) / rect.width, y: (viewport.scrollTop + viewport.clientHeight / 2) / rect.height };
    zoom = clampZoom(next);
    layout();
    viewport.scrollLeft = centre.x * stage.offsetWidth - viewport.clientWidth / 2;
    viewport.scrollTop = centre.y * stage.offsetHeight - viewport.clientHeight / 2;
  };
  const step = (by: 1 | -1) => zoomTo(ZOOM_STEPS[Math.max(0, Math.min(ZOOM_STEPS.length - 1, (ZOOM_STEPS as readonly number[]).indexOf(zoom) + by))]!);

  const toFull = (event: PointerEvent) => {
    const rect = stage.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) / rect.width) * full.width, y: ((event.clientY - rect.top) / rect.height) * full.height };
  };
  let start: { x: number; y: number } | null = null;
  stage.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    stage.setPointerCapture(event.pointerId);
    start = toFull(event);
    box = null;
    drawBox();
  });
  stage.addEventListener('pointermove', (event) => {
    if (!start) return;
    box = drawnBox(start, toFull(event), full);
    drawBox();
  });
  const finish = (event: PointerEvent) => {
    if (!start) return;
    box = drawnBox(start, toFull(event), full);
    start = null;
    drawBox();
  };
  stage.addEventListener('pointerup', finish);
  stage.addEventListener('pointercancel', () => (start = null));
  viewport.addEventListener('wheel', (event) => {
    if (!event.ctrlKey) return;
    event.preventDefault();
    step(event.deltaY < 0 ? 1 : -1);
  }, { passive: false });

  const close = () => setToolShortcuts(null);
  const cancel = () => {
    close();
    tool.back();
  };
  const run = async () => {
    if (!box) return;
    close();
    const chosen = box;
    apply.disabled = true;
    await tool.apply(chosen);
  };
  apply.onclick = () => void run();
  setToolShortcuts([
    { keys: ['Enter'], label: 'apply', run },
    { keys: ['Escape'], label: 'cancel', run: cancel },
    { keys: ['+', '='], label: 'zoom in', run: () => step(1) },
    { keys: ['-'], label: 'zoom out', run: () => step(-1) },
    { keys: ['0'], label: 'fit', run: () => zoomTo(1) },
  ]);

  panel.replaceChildren(
    h('h2', {}, tool.title),
    h(
      'div',
      { className: 'toolbar zoom' },
      h('button', { type: 'button', id: 'zoom-out', title: '−', 'aria-label': 'Zoom out', onclick: () => step(-1) }, '−'),
      zoomLabel,
      h('button', { type: 'button', id: 'zoom-in', title: '+', 'aria-label': 'Zoom in', onclick: () => step(1) }, '+'),
      h('button', { type: 'button', id: 'zoom-fit', title: '0', onclick: () => zoomTo(1) }, 'Fit'),
    ),
    viewport,
    info,
    h('div', { className: 'actions' }, apply, h('button', { type: 'button', id: 'cancel-region', title: 'Escape', onclick: cancel }, 'Cancel')),
  );
  layout();
  imageUrl(imagePath).then((url) => {
    img.onload = () => {
      layout();
      viewport.dataset.ready = 'true';
    };
    img.src = url;
  }, () => flash('The photo could not be loaded.'));
}
