/** The chat-completions protocol's shapes that lotreel sends and checks (no I/O). */
import { z } from 'zod';

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ChatContentPart[] }
  | { role: 'assistant'; content: string };

export type ChatContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail: 'low' | 'high' | 'auto' } };

/** A JSON schema for response_format, with the zod schema that checks the answer. */
export interface AnswerFormat<T> {
  name: string;
  schema: z.ZodType<T>;
  jsonSchema: Record<string, unknown>;
}

export function answerFormat<T>(name: string, schema: z.ZodType<T>): AnswerFormat<T> {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(schema) as Record<string, unknown>;
  return { name, schema, jsonSchema };
}
