/** The one answer for what is not published because its car's plates could not be looked for. */
import type { FastifyReply } from 'fastify';

/** `what`: what is refused ("this photo is not published"); `reason`: why the plates were not looked for. */
export function refuseHeld(reply: FastifyReply, what: string, reason: unknown): FastifyReply {
  return reply.code(409).send({ error: { code: 'PLATES_NOT_BLURRED', message: `${what}: its car's plates are not blurred (${String(reason)})` } });
}
