/**
 * A real HTTP server on loopback that speaks the OpenAI chat completions API (POST /v1/chat/completions)
 * and answers from a script: the tests' stand-in for a paid LLM. POST /v1/audio/speech answers a tone
 * as long as the text (text-to-speech). It records every request it receives.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: {
    model: string;
    messages: { role: string; content: unknown }[];
    response_format?: { type: string; json_schema?: { name: string; schema: Record<string, unknown>; strict?: boolean } };
    [key: string]: unknown;
  };
}

/** One scripted reply: an answer's text, an HTTP error, or an answer that comes too late. */
export type ScriptedReply =
  | { content: string; delayMs?: number }
  | { status: number; message?: string }
  | ((request: ReceivedRequest) => ScriptedReply);

export interface FakeOpenAiServer {
  /** The base URL to give the client (OPENAI_BASE_URL), ending in /v1. */
  baseUrl: string;
  requests: ReceivedRequest[];
  /** Replies for the next requests, in order; when they run out the server answers 500. */
  script(...replies: ScriptedReply[]): void;
  /** Forgets the requests and any replies not used yet. */
  reset(): void;
  close(): Promise<void>;
}

const chatCompletion = (model: string, content: string) => ({
  id: `chatcmpl-test-${Date.now()}`,
  object: 'chat.completion',
  created: Math.floor(Date.now() / 1000),
  model,
  choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A 440 Hz mono 16-bit WAV at 24 kHz: what the speech endpoint answers. */
export function toneWav(seconds: number): Buffer {
  const rate = 24000;
  const samples = Math.round(seconds * rate);
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return wav;
}

export async function startOpenAiServer(): Promise<FakeOpenAiServer> {
  const requests: ReceivedRequest[] = [];
  const queue: ScriptedReply[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer(async (req, res) => {
    const text = await readBody(req);
    let body: ReceivedRequest['body'];
    try {
      body = JSON.parse(text);
    } catch {
      return sendJson(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
    }
    const request: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body };
    requests.push(request);
    if (req.method === 'POST' && req.url === '/v1/audio/speech') {
      // Text-to-speech: a tone as long as the text would take to say (about 15 characters a second).
      const seconds = Math.min(20, Math.max(1, String(body.input ?? '').length / 15));
      res.writeHead(200, { 'content-type': 'audio/wav' });
      return res.end(toneWav(seconds));
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    }
    let reply = queue.shift() ?? { status: 500, message: 'no scripted reply left' };
    while (typeof reply === 'function') reply = reply(request);
    if ('status' in reply) {
      return sendJson(res, reply.status, { error: { message: reply.message ?? `error ${reply.status}`, type: 'server_error', code: null } });
    }
    const { content, delayMs = 0 } = reply;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) sendJson(res, 200, chatCompletion(body.model, content));
    }, delayMs);
    timers.add(timer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...replies) => queue.push(...replies),
    reset: () => {
      requests.length = 0;
      queue.length = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
