/**
 * The one place that talks to an LLM: the `openai` client against OpenAI or any server speaking its
 * chat completions API (OPENAI_BASE_URL). It sends messages, returns the answer's text and says what
 * went wrong in words the callers act on (timeout, HTTP error); reading the answer is theirs.
 */
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { LlmConfig, LlmResponseFormat } from '../config/config.js';
import { LotreelError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { AnswerFormat, ChatMessage } from './messages.js';

export type LlmFailureKind = 'timeout' | 'http_error';

/** A request that got no usable answer; `kind` says whether it timed out or failed otherwise. */
export class LlmRequestError extends LotreelError {
  constructor(
    readonly kind: LlmFailureKind,
    message: string,
    readonly status: number | undefined,
    options: { cause?: unknown } = {},
  ) {
    super('LLM_FAILED', message, { cause: options.cause, details: { kind, status } });
  }
}

export class LlmClient {
  private readonly openai: OpenAI;
  private responseFormat: LlmResponseFormat;
  private failuresInARow = 0;

  constructor(
    readonly config: LlmConfig,
    private readonly log: Logger,
    private readonly maxFailuresInARow: number,
  ) {
    // Everything explicit, so the client does not read OPENAI_* variables behind config's back, and
    // quiet: failures reach our log through the callers.
    this.openai = new OpenAI({
      apiKey: config.apiKey,
      baseURL: config.baseUrl ?? 'https://api.openai.com/v1',
      organization: null,
      project: null,
      webhookSecret: null,
      timeout: config.timeoutMs,
      maxRetries: config.httpRetries,
      logLevel: 'off',
    });
    this.responseFormat = config.responseFormat;
  }

  /** False once requests have failed `maxFailuresInARow` times in a row: the server is down or hung. */
  get available(): boolean {
    return this.failuresInARow < this.maxFailuresInARow;
  }

  /**
   * One chat completion; returns the answer's text (possibly empty). A server that refuses structured
   * output (HTTP 400 to response_format json_schema) is asked again without it, and so for the rest of
   * the run. Throws LlmRequestError on a timeout or an HTTP or connection failure; a caller's abort
   * passes through as an AbortError.
   */
  async complete<T>(messages: readonly ChatMessage[], format: AnswerFormat<T>, signal?: AbortSignal): Promise<string> {
    try {
      const content = await this.send(messages, format, signal);
      this.failuresInARow = 0;
      return content;
    } catch (error) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : Object.assign(new Error('aborted'), { name: 'AbortError' });
      this.failuresInARow++;
      throw asRequestError(error);
    }
  }

  /**
   * The text spoken by the server's text-to-speech (POST /audio/speech), as WAV bytes. Throws
   * LlmRequestError like `complete`.
   */
  async speak(input: string, options: { model: string; voice: string; signal?: AbortSignal }): Promise<Buffer> {
    try {
      const response = await this.openai.audio.speech.create({ model: options.model, voice: options.voice, input, response_format: 'wav' }, { signal: options.signal });
      this.failuresInARow = 0;
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : Object.assign(new Error('aborted'), { name: 'AbortError' });
      this.failuresInARow++;
      throw asRequestError(error);
    }
  }

  private async send<T>(messages: readonly ChatMessage[], format: AnswerFormat<T>, signal?: AbortSignal): Promise<string> {
    try {
      return await this.request(messages, format, this.responseFormat, signal);
    } catch (error) {
      if (!(error instanceof OpenAI.BadRequestError) || this.responseFormat === 'none') throw error;
      // Asked again without it; only when that works was the format the problem (not, say, the images).
      const content = await this.request(messages, format, 'none', signal).catch(() => Promise.reject(error));
      this.log.info('the LLM server refused the response format; asking for plain JSON from now on', { responseFormat: this.responseFormat, status: error.status });
      this.responseFormat = 'none';
      return content;
    }
  }

  private async request<T>(messages: readonly ChatMessage[], format: AnswerFormat<T>, responseFormat: LlmResponseFormat, signal?: AbortSignal): Promise<string> {
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: this.config.model,
      // No temperature: some models refuse any but their default.
      messages: messages as ChatCompletionCreateParamsNonStreaming['messages'],
    };
    if (responseFormat === 'json_schema') {
      body.response_format = { type: 'json_schema', json_schema: { name: format.name, schema: format.jsonSchema, strict: true } };
    } else if (responseFormat === 'json_object') {
      body.response_format = { type: 'json_object' };
    }
    const completion = await this.openai.chat.completions.create(body, { signal });
    return completion.choices?.[0]?.message?.content ?? '';
  }
}

function asRequestError(error: unknown): LlmRequestError {
  if (error instanceof LlmRequestError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new LlmRequestError('timeout', 'the LLM did not answer in time', undefined, { cause: error });
  if (error instanceof OpenAI.APIError) {
    const status = typeof error.status === 'number' ? error.status : undefined;
    const what = status ? `HTTP ${status}` : 'no connection';
    return new LlmRequestError('http_error', `the LLM request failed (${what})`, status, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LlmRequestError('http_error', `the LLM request failed: ${message.split('\n')[0]}`, undefined, { cause: error });
}

/** The run's client, or null when no LLM is configured. */
export function createLlmClient(config: LlmConfig | null | undefined, maxFailuresInARow: number, log: Logger): LlmClient | null {
  return config ? new LlmClient(config, log, maxFailuresInARow) : null;
}
