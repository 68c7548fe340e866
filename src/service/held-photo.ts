/** The one answer for a photo whose car is held because its plates could not be looked for. */
import type { FastifyReply } from 'fastify';

export function refuseHeldPhoto(reply: FastifyReply, draftAttributes: Record<string, unknown>): FastifyReply {
  const reason = String(draftAttributes.platesNotBlurred);
  return reply.code(409).send({ error: { code: 'PLATES_NOT_BLURRED', message: `this photo is not published: its car's plates are not blurred (${reason})` } });
}
