/**
 * The seller's editor page: sign in with the dealer token, the uploaded videos with live progress,
 * one card per car, and the draft editor (fields with their sources, photo edits, order, cover,
 * another frame of the video). Plain TypeScript and the DOM; routes are URL hashes.
 */
import 'whatwg-fetch';
import Cropper from 'cropperjs';
import { api, ApiError, followVideo, imageUrl, token, upload, type VideoStatus } from './api.js';
import './styles.css';

// ------------------------------------------------------------------------------------------- types

interface Size {
  width: number;
  height: number;
}
interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}
interface VideoSummary extends VideoStatus {
  fileName: string;
  durationMs: number;
  createdAt: string;
}
interface CarPhoto {
  id: string;
  cover: boolean;
}
interface Car {
  id: string;
  ordinal: number;
  photos: CarPhoto[];
  draft: { id: string; title: string; status: string } | null;
}
type FieldName = 'title' | 'description' | 'make' | 'model' | 'year' | 'colour' | 'mileage';
interface FieldValue {
  value: string | number | null;
  source: string | null;
  machine: { value: string | number; source: string } | null;
}
interface EditorPhoto {
  id: string;
  ordinal: number;
  cover: boolean;
  timestampMs: number;
  original: Size;
  displayed: Size;
  straightened: Size;
  edits: Array<{ op: string; [key: string]: unknown }>;
  edited: boolean;
  previewUrl: string;
  uncroppedUrl: string;
  fullUrl: string;
}
interface EditorDraft {
  id: string;
  carId: string;
  videoId: string;
  status: string;
  fields: Record<FieldName, FieldValue>;
  photos: EditorPhoto[];
  segments: Array<{ startMs: number; endMs: number }>;
}
interface Filmstrip {
  frames: Array<{ timestampMs: number }>;
  thumbWidth: number;
  thumbHeight: number;
  spriteUrl: string;
}

// --------------------------------------------------------------------------------------------- DOM

type Child = Node | string | null | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value as EventListener);
    else if (key === 'className') el.className = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') (el as unknown as Record<string, unknown>)[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

const app = document.getElementById('app')!;
let cleanup: Array<() => void> = [];

function show(...nodes: Node[]): void {
  for (const stop of cleanup) stop();
  cleanup = [];
  app.replaceChildren(...nodes);
}

function flash(message: string, kind: 'error' | 'info' = 'error'): void {
  const note = h('div', { className: `flash ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, message);
  document.body.append(note);
  setTimeout(() => note.remove(), 5000);
}

/** Runs an action, reporting a failure instead of throwing it at the page. */
async function attempt<T>(action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      token.clear();
      location.hash = '#/sign-in';
      return undefined;
    }
    flash(error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

function authImage(path: string, alt: string, className = ''): HTMLImageElement {
  const img = h('img', { alt, className, loading: 'lazy' });
  imageUrl(path).then((url) => (img.src = url), () => img.classList.add('broken'));
  return img;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const SOURCE_NAMES: Record<string, string> = {
  seller: 'you',
  vin: 'VIN',
  sticker: 'sticker',
  badge: 'badge',
  vision: 'photo',
  clip: 'CLIP',
  llm: 'LLM',
  generated: 'generated',
};

// ----------------------------------------------------------------------------------------- sign in

function signIn(): void {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, placeholder: 'lrt_…', id: 'token' });
  const form = h(
    'form',
    {
      className: 'card narrow',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        token.set(input.value.trim());
        const ok = await attempt(() => api('GET', '/api/videos'));
        if (ok) location.hash = '#/videos';
        else flash('That token was not accepted.');
      },
    },
    h('h1', {}, 'Sign in'),
    h('label', { for: 'token' }, 'Dealer API token'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  show(form);
}

// ------------------------------------------------------------------------------------------ videos

function progressText(v: VideoStatus): string {
  if (v.status === 'done') return 'done';
  if (v.status === 'failed') return `failed${v.error ? `: ${v.error}` : ''}`;
  return `${v.status}${v.stage ? ` (${v.stage})` : ''} ${Math.round(v.progress * 100)} %`;
}

async function videosPage(): Promise<void> {
  const list = h('ul', { className: 'videos' });
  const fileInput = h('input', { type: 'file', accept: 'video/*', name: 'video', id: 'video-file' });
  const form = h(
    'form',
    {
      className: 'card upload',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const file = fileInput.files?.[0];
        if (!file) return;
        const created = await attempt(() => upload(file));
        if (created) {
          fileInput.value = '';
          await refresh();
        }
      },
    },
    h('label', { for: 'video-file' }, 'Upload a walkaround video'),
    fileInput,
    h('button', { type: 'submit' }, 'Upload'),
  );
  const refresh = async () => {
    const videos = await attempt(() => api<VideoSummary[]>('GET', '/api/videos'));
    if (!videos) return;
    list.replaceChildren(
      ...videos.map((video) => {
        const status = h('span', { className: `status ${video.status}`, dataset: { videoStatus: video.id } }, progressText(video));
        const bar = h('progress', { max: 1, value: video.progress });
        if (video.status === 'queued' || video.status === 'processing') {
          cleanup.push(
            followVideo(video.id, (s) => {
              status.textContent = progressText(s);
              status.className = `status ${s.status}`;
              bar.value = s.progress;
            }),
          );
        }
        return h(
          'li',
          { className: 'card video' },
          h('a', { href: `#/videos/${video.id}` }, video.fileName),
          h('span', { className: 'muted' }, `${seconds(video.durationMs)} · ${new Date(video.createdAt).toLocaleString()}`),
          bar,
          status,
        );
      }),
    );
    if (videos.length === 0) list.append(h('li', { className: 'muted' }, 'No videos yet.'));
  };
  show(h('h1', {}, 'Videos'), form, list);
  await refresh();
}

async function videoPage(videoId: string): Promise<void> {
  const grid = h('div', { className: 'cars' });
  const status = h('p', { className: 'muted', id: 'video-status' });
  show(h('p', {}, h('a', { href: '#/videos' }, '← Videos')), h('h1', {}, 'Cars'), status, grid);
  const load = async () => {
    const cars = await attempt(() => api<Car[]>('GET', `/api/videos/${videoId}/cars`));
    if (!cars) return;
    grid.replaceChildren(
      ...cars.map((car) => {
        const cover = car.photos.find((p) => p.cover) ?? car.photos[0];
        return h(
          'a',
          { className: 'card car', href: car.draft ? `#/drafts/${car.draft.id}` : undefined, dataset: { carOrdinal: String(car.ordinal) } },
          cover ? authImage(`/api/photos/${cover.id}/rendered`, `car ${car.ordinal}`, 'cover') : h('div', { className: 'cover none' }, 'no photo'),
          h('strong', { className: 'title' }, car.draft?.title ?? `Car ${car.ordinal}`),
          h('span', { className: `status ${car.draft?.status ?? ''}` }, car.draft?.status.replace('_', ' ') ?? ''),
        );
      }),
    );
    if (cars.length === 0) grid.append(h('p', { className: 'muted' }, 'No cars yet.'));
  };
  const first = await attempt(() => api<VideoStatus>('GET', `/api/videos/${videoId}`));
  if (first) status.textContent = progressText(first);
  if (first && first.status !== 'done' && first.status !== 'failed') {
    cleanup.push(
      followVideo(videoId, (s) => {
        status.textContent = progressText(s);
        if (s.status === 'done') void load();
      }),
    );
  }
  await load();
}

// ------------------------------------------------------------------------------------------ editor

const FIELD_LABELS: Record<FieldName, string> = {
  title: 'Title',
  description: 'Description',
  make: 'Make',
  model: 'Model',
  year: 'Year',
  colour: 'Colour',
  mileage: 'Mileage (km)',
};

async function draftPage(draftId: string): Promise<void> {
  let draft = await attempt(() => api<EditorDraft>('GET', `/api/drafts/${draftId}/editor`));
  if (!draft) return;
  let selected: string | null = draft.photos.find((p) => p.cover)?.id ?? draft.photos[0]?.id ?? null;

  const fieldsForm = h('form', { className: 'card fields', id: 'fields' });
  const strip = h('ol', { className: 'photos', id: 'photos' });
  const panel = h('section', { className: 'card panel', id: 'photo-panel' });

  const renderFields = () => {
    const d = draft!;
    const inputs: Partial<Record<FieldName, HTMLInputElement | HTMLTextAreaElement>> = {};
    const rows = (Object.keys(FIELD_LABELS) as FieldName[]).map((name) => {
      const field = d.fields[name];
      const numeric = name === 'year' || name === 'mileage';
      const input =
        name === 'description'
          ? h('textarea', { name, id: `field-${name}`, rows: 4 })
          : h('input', { name, id: `field-${name}`, type: numeric ? 'number' : 'text', inputMode: numeric ? 'numeric' : undefined });
      input.value = field.value === null ? '' : String(field.value);
      inputs[name] = input;
      const source = field.source ? h('span', { className: `source ${field.source}`, title: 'where this value came from' }, SOURCE_NAMES[field.source] ?? field.source) : null;
      const machine =
        field.source === 'seller' && field.machine && field.machine.value !== field.value
          ? h('span', { className: 'muted machine' }, `lotreel said ${field.machine.value} (${SOURCE_NAMES[field.machine.source] ?? field.machine.source})`)
          : null;
      return h('div', { className: 'field' }, h('label', { for: `field-${name}` }, FIELD_LABELS[name], ' ', source), input, machine);
    });
    const save = async (status?: string) => {
      const fields: Record<string, string | number | null> = {};
      for (const name of Object.keys(inputs) as FieldName[]) {
        const raw = inputs[name]!.value.trim();
        const value = raw === '' ? null : name === 'year' || name === 'mileage' ? Number(raw) : raw;
        if (value !== d.fields[name].value && !(name === 'title' && value === null)) fields[name] = value;
      }
      const next = await attempt(() => api<EditorDraft>('PATCH', `/api/drafts/${d.id}/fields`, status ? { fields, status } : { fields }));
      if (next) {
        draft = next;
        renderFields();
        flash('Saved', 'info');
      }
    };
    fieldsForm.replaceChildren(
      h('h2', {}, 'Draft ', h('span', { className: `status ${d.status}`, id: 'draft-status' }, d.status.replace('_', ' '))),
      ...rows,
      h(
        'div',
        { className: 'actions' },
        h('button', { type: 'submit', id: 'save-fields' }, 'Save'),
        d.status === 'needs_review' ? h('button', { type: 'button', id: 'mark-ready', onclick: () => save('ready') }, 'Save and mark ready') : null,
      ),
    );
    fieldsForm.onsubmit = (event) => {
      event.preventDefault();
      void save();
    };
  };

  const replacePhotos = (photos: EditorPhoto[]) => {
    draft = { ...draft!, photos };
    if (!photos.some((p) => p.id === selected)) selected = photos[0]?.id ?? null;
    renderStrip();
    renderPanel();
  };
  const replacePhoto = (photo: EditorPhoto) => replacePhotos(draft!.photos.map((p) => (p.id === photo.id ? photo : p)));

  let dragged: string | null = null;
  const moveTo = async (photoId: string, index: number) => {
    const ids = draft!.photos.map((p) => p.id).filter((id) => id !== photoId);
    ids.splice(Math.max(0, Math.min(index, ids.length)), 0, photoId);
    const photos = await attempt(() => api<EditorPhoto[]>('PUT', `/api/drafts/${draft!.id}/photo-order`, { photoIds: ids }));
    if (photos) replacePhotos(photos);
  };

  const renderStrip = () => {
    strip.replaceChildren(
      ...draft!.photos.map((photo, index) =>
        h(
          'li',
          {
            className: `thumb${photo.id === selected ? ' selected' : ''}${photo.cover ? ' is-cover' : ''}`,
            draggable: 'true',
            dataset: { photoId: photo.id },
            onclick: () => {
              selected = photo.id;
              renderStrip();
              renderPanel();
            },
            ondragstart: (event: DragEvent) => {
              dragged = photo.id;
              event.dataTransfer?.setData('text/plain', photo.id);
            },
            ondragover: (event: DragEvent) => event.preventDefault(),
            ondrop: (event: DragEvent) => {
              event.preventDefault();
              if (dragged && dragged !== photo.id) void moveTo(dragged, index);
              dragged = null;
            },
          },
          authImage(photo.previewUrl, `photo ${photo.ordinal}`),
          photo.cover ? h('span', { className: 'badge' }, 'cover') : null,
          photo.edited ? h('span', { className: 'badge edited' }, 'edited') : null,
        ),
      ),
    );
  };

  const addEdit = async (photo: EditorPhoto, edit: Record<string, unknown>) => {
    const next = await attempt(() => api<EditorPhoto>('POST', `/api/photos/${photo.id}/edits`, edit));
    if (next) replacePhoto(next);
  };

  /** A cropper over `imagePath`; resolves the selection in that picture's full-resolution pixels. */
  const selectRegion = (imagePath: string, full: Size, title: string, apply: (box: Box) => Promise<void>) => {
    const img = h('img', { alt: title, className: 'crop-source' });
    const holder = h('div', { className: 'cropper-holder' }, img);
    let cropper: Cropper | null = null;
    const done = h('button', {
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
        else renderPanel();
      },
    }, `Apply ${title.toLowerCase()}`);
    const cancel = h('button', { type: 'button', className: 'secondary', onclick: () => { cropper?.destroy(); renderPanel(); } }, 'Cancel');
    panel.replaceChildren(h('h2', {}, title), holder, h('div', { className: 'actions' }, done, cancel));
    imageUrl(imagePath).then((url) => {
      img.onload = () => {
        cropper = new Cropper(img, {
          template:
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
            '</cropper-selection></cropper-canvas>',
        });
        void fitSelection(cropper).then(() => (holder.dataset.ready = 'true'));
      };
      img.src = url;
    }, () => flash('The photo could not be loaded.'));
  };

  /** Starts the selection on 80 % of the picture (not of the widget) and keeps it inside the picture. */
  const fitSelection = async (cropper: Cropper) => {
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
  };

  const pickFrame = async (photo: EditorPhoto | null) => {
    panel.replaceChildren(h('h2', {}, photo ? 'Pick another frame' : 'Add a frame'), h('p', { className: 'muted' }, 'Loading the video…'));
    const film = await attempt(() => api<Filmstrip>('GET', `/api/drafts/${draft!.id}/filmstrip`));
    if (!film) return renderPanel();
    const sprite = await imageUrl(film.spriteUrl);
    const choose = async (timestampMs: number) => {
      panel.append(h('p', { className: 'muted' }, `Extracting the frame at ${seconds(timestampMs)}…`));
      if (photo) {
        const next = await attempt(() => api<EditorPhoto>('POST', `/api/photos/${photo.id}/frame`, { timestampMs }));
        if (next) replacePhoto(next);
      } else {
        const added = await attempt(() => api<EditorPhoto>('POST', `/api/drafts/${draft!.id}/frames`, { timestampMs }));
        if (added) {
          selected = added.id;
          replacePhotos([...draft!.photos, added]);
        }
      }
    };
    const frames = film.frames.map((frame, i) =>
      h(
        'button',
        {
          type: 'button',
          className: 'frame',
          title: seconds(frame.timestampMs),
          dataset: { timestampMs: String(frame.timestampMs) },
          style: `width:${film.thumbWidth / 2}px;height:${film.thumbHeight / 2}px;background-image:url(${sprite});background-size:${(film.thumbWidth * film.frames.length) / 2}px ${film.thumbHeight / 2}px;background-position:-${(i * film.thumbWidth) / 2}px 0`,
          onclick: () => void choose(frame.timestampMs),
        },
        h('span', {}, seconds(frame.timestampMs)),
      ),
    );
    panel.replaceChildren(
      h('h2', {}, photo ? 'Pick another frame' : 'Add a frame'),
      h('div', { className: 'filmstrip', id: 'filmstrip' }, ...frames),
      h('button', { type: 'button', className: 'secondary', onclick: () => renderPanel() }, 'Cancel'),
    );
  };

  const renderPanel = () => {
    const photo = draft!.photos.find((p) => p.id === selected);
    if (!photo) {
      panel.replaceChildren(h('p', { className: 'muted' }, 'No photos.'), h('button', { type: 'button', onclick: () => void pickFrame(null) }, 'Add a frame from the video'));
      return;
    }
    const state = photo.edits.reduce(
      (s, e) => (e.op === 'straighten' ? { ...s, straighten: Number(e.degrees) } : e.op === 'brightness' ? { ...s, brightness: Number(e.factor) } : e.op === 'enhance' ? { ...s, enhance: Boolean(e.on) } : s),
      { straighten: 0, brightness: 1, enhance: false },
    );
    const straighten = h('input', { type: 'range', min: -15, max: 15, step: 0.5, id: 'straighten' });
    straighten.value = String(state.straighten);
    straighten.onchange = () => void addEdit(photo, { op: 'straighten', degrees: Number(straighten.value) });
    const brightness = h('input', { type: 'range', min: 0.5, max: 1.5, step: 0.05, id: 'brightness' });
    brightness.value = String(state.brightness);
    brightness.onchange = () => void addEdit(photo, { op: 'brightness', factor: Number(brightness.value) });
    const button = (label: string, id: string, onclick: () => unknown, className = '') => h('button', { type: 'button', id, className, onclick }, label);
    panel.replaceChildren(
      h('div', { className: 'preview' }, authImage(photo.previewUrl, `photo ${photo.ordinal}, edited`, 'edited-photo')),
      h('p', { className: 'muted' }, `${photo.displayed.width}×${photo.displayed.height} · at ${seconds(photo.timestampMs)} of the video${photo.cover ? ' · cover' : ''}`),
      h(
        'div',
        { className: 'actions' },
        button('Crop', 'crop', () => selectRegion(photo.uncroppedUrl, photo.straightened, 'Crop', (box) => addEdit(photo, { op: 'crop', box }))),
        button('⟲ Rotate left', 'rotate-left', () => addEdit(photo, { op: 'rotate', quarterTurns: -1 })),
        button('⟳ Rotate right', 'rotate-right', () => addEdit(photo, { op: 'rotate', quarterTurns: 1 })),
        button(state.enhance ? 'Enhance: on' : 'Auto-enhance', 'enhance', () => addEdit(photo, { op: 'enhance', on: !state.enhance })),
        button('Blur a region', 'blur', () => selectRegion(photo.previewUrl, photo.displayed, 'Blur', (box) => addEdit(photo, { op: 'blur', box }))),
        button('Unblur', 'unblur', () => selectRegion(photo.previewUrl, photo.displayed, 'Unblur', (box) => addEdit(photo, { op: 'unblur', box }))),
      ),
      h('label', { className: 'slider' }, 'Straighten ', straighten),
      h('label', { className: 'slider' }, 'Brightness ', brightness),
      h(
        'div',
        { className: 'actions' },
        button('Undo', 'undo', async () => {
          const next = await attempt(() => api<EditorPhoto>('POST', `/api/photos/${photo.id}/edits/undo`));
          if (next) replacePhoto(next);
        }),
        button('Back to original', 'reset', async () => {
          const next = await attempt(() => api<EditorPhoto>('DELETE', `/api/photos/${photo.id}/edits`));
          if (next) replacePhoto(next);
        }),
      ),
      h(
        'div',
        { className: 'actions' },
        photo.cover
          ? null
          : button('Set as cover', 'set-cover', async () => {
              const photos = await attempt(() => api<EditorPhoto[]>('POST', `/api/photos/${photo.id}/cover`));
              if (photos) replacePhotos(photos);
            }),
        button('◀ Move', 'move-left', () => moveTo(photo.id, draft!.photos.indexOf(photo) - 1), 'secondary'),
        button('Move ▶', 'move-right', () => moveTo(photo.id, draft!.photos.indexOf(photo) + 1), 'secondary'),
        button('Pick another frame', 'pick-frame', () => pickFrame(photo)),
        button('Add a frame', 'add-frame', () => pickFrame(null), 'secondary'),
        button('Delete photo', 'delete-photo', async () => {
          if (!confirm('Delete this photo from the listing?')) return;
          const photos = await attempt(() => api<EditorPhoto[]>('DELETE', `/api/photos/${photo.id}`));
          if (photos) replacePhotos(photos);
        }, 'danger'),
      ),
    );
  };

  show(
    h('p', {}, h('a', { href: `#/videos/${draft.videoId}` }, '← Cars')),
    h('div', { className: 'editor' }, h('div', { className: 'media' }, panel, strip), fieldsForm),
  );
  renderFields();
  renderStrip();
  renderPanel();
}

// ------------------------------------------------------------------------------------------ router

async function route(): Promise<void> {
  const signOut = document.getElementById('sign-out')!;
  signOut.hidden = token.get() === null;
  const hash = location.hash.replace(/^#/, '') || '/videos';
  if (token.get() === null || hash === '/sign-in') return signIn();
  const parts = hash.split('/').filter(Boolean);
  if (parts[0] === 'videos' && parts[1]) return videoPage(parts[1]);
  if (parts[0] === 'drafts' && parts[1]) return draftPage(parts[1]);
  return videosPage();
}

document.getElementById('sign-out')!.addEventListener('click', () => {
  token.clear();
  location.hash = '#/sign-in';
});
window.addEventListener('hashchange', () => void route());
void route();
