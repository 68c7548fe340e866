/** Errors as HTTP answers: `{error: {code, message}}` with a status that says whose fault it was. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isLotreelError } from '../core/errors.js';
import type { Logger } from '../core/log.js';

export const notFound = (reply: FastifyReply, what = 'not found') => reply.code(404).send({ error: { code: 'NOT_FOUND', message: what } });

export function statusForError(error: unknown): { status: number; code: string; message: string } {
  if (isLotreelError(error)) {
    switch (error.code) {
      case 'INPUT_NOT_VIDEO':
      case 'INPUT_CORRUPT':
      case 'INPUT_EMPTY':
        return { status: 422, code: error.code, message: error.message };
      case 'INVALID_ARGUMENT':
        return { status: 400, code: error.code, message: error.message };
      // A well-formed correction that cannot apply to these cars.
      case 'CARS_IN_DIFFERENT_VIDEOS':
      case 'MERGE_SAME_CAR':
      case 'SPLIT_OUTSIDE_CAR':
        return { status: 422, code: error.code, message: error.message };
      default:
        return { status: 500, code: 'INTERNAL', message: 'internal error' };
    }
  }
  const e = error as Partial<FastifyError> & { statusCode?: number };
  if (hasZodFastifySchemaValidationErrors(error) || e.validation) return { status: 400, code: 'INVALID_ARGUMENT', message: e.message ?? 'invalid request' };
  if (e.statusCode === 413 || e.code === 'FST_REQ_FILE_TOO_LARGE' || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, code: 'BODY_TOO_LARGE', message: 'the request body is larger than this service accepts' };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, code: e.code ?? 'BAD_REQUEST', message: (e.message ?? 'bad request').split('\n')[0]! };
  }
  return { status: 500, code: 'INTERNAL', message: 'internal error' };
}

export function errorHandler(log: Logger) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const answer = statusForError(error);
    if (answer.status >= 500) {
      log.error('request failed', { method: request.method, url: request.url, error: error instanceof Error ? error.message : String(error) });
    }
    return reply.code(answer.status).send({ error: { code: answer.code, message: answer.message } });
  };
}
