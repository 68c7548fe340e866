/**
 * The dealer API from the page: the token kept in this browser, JSON calls, images fetched with the
 * token (an <img> cannot send it) and the progress events read from a fetch stream (EventSource
 * cannot send it either; without streams the page polls).
 */
import { isVideoFinished } from '../../src/store/video-status.js';
import type { VideoCreated, VideoProgress } from './api-types.js';

const TOKEN_KEY = 'lotreel.token';
const STATUS_EVENTS = new Set(['progress', 'done', 'failed']);

export const token = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (value: string) => localStorage.setItem(TOKEN_KEY, value),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const value = token.get();
  return value ? { authorization: `Bearer ${value}`, ...extra } : extra;
}

async function failure(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    return new ApiError(response.status, body.error?.code ?? 'HTTP_ERROR', body.error?.message ?? response.statusText);
  } catch {
    return new ApiError(response.status, 'HTTP_ERROR', response.statusText || `HTTP ${response.status}`);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response);
  return (response.status === 204 ? null : await response.json()) as T;
}

export async function upload(file: File): Promise<VideoCreated> {
  const form = new FormData();
  form.append('file', file, file.name);
  const response = await fetch('/api/videos', { method: 'POST', headers: headers(), body: form });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as VideoCreated;
}

/** Saves an API file (the feed, say) through the browser's download, sent with the token. */
export async function download(path: string, fileName: string): Promise<void> {
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) throw await failure(response);
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const images = new Map<string, Promise<string>>();

/** An object URL of an API image, fetched once per URL (URLs carry the edit version). */
export function imageUrl(path: string): Promise<string> {
  let url = images.get(path);
  if (!url) {
    url = fetch(path, { headers: headers() }).then(async (response) => {
      if (!response.ok) throw await failure(response);
      return URL.createObjectURL(await response.blob());
    });
    url.catch(() => images.delete(path));
    images.set(path, url);
  }
  return url;
}

/**
 * Follows a video's progress events until it is done or failed. Returns a function that stops.
 * `onEvent` gets the stream's other events (`car`, `clip`, `reel`) with their data. Without a
 * readable response stream (old browsers, the fetch polyfill) it polls the status instead (and
 * `onEvent` hears nothing).
 */
export function followVideo(id: string, onStatus: (status: VideoProgress) => void, onEvent?: (event: string, data: unknown) => void): () => void {
  const stop = new AbortController();
  const poll = async () => {
    while (!stop.signal.aborted) {
      const status = await api<VideoProgress>('GET', `/api/videos/${id}`);
      onStatus(status);
      if (isVideoFinished(status.status)) return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  const stream = async () => {
    const response = await fetch(`/api/videos/${id}/events`, { headers: headers({ accept: 'text/event-stream' }), signal: stop.signal });
    if (!response.ok) throw await failure(response);
    if (!response.body || typeof response.body.getReader !== 'function') return poll();
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = message.split('\n');
        const event = lines.find((line) => line.startsWith('event:'))?.slice(6).trim();
        const data = lines
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('\n');
        if (data === '') continue;
        if (event === undefined || STATUS_EVENTS.has(event)) onStatus(JSON.parse(data) as VideoProgress);
        else onEvent?.(event, JSON.parse(data));
      }
    }
  };
  stream().catch((error: unknown) => {
    if (!stop.signal.aborted) console.warn('progress stream failed, polling instead', error);
    if (!stop.signal.aborted) poll().catch(() => undefined);
  });
  return () => stop.abort();
}
