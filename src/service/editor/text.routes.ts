/**
 * "Write the text again": a draft's title and description from its facts as the seller left them, by
 * the LLM when one is configured (under the listing rules, the template when it fails them), else by
 * the template. Text the seller wrote by hand is replaced only when the request says so (the editor
 * asks first); without it the answer is 409 TEXT_HAND_WRITTEN.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { createLlmClient } from '../../llm/client.js';
import { writeListingText } from '../../listing/listing-text.js';
import { getDraftListingFacts, replaceDraftText } from '../../store/editor.repository.js';
import { dealerOf } from '../auth.js';
import { MARKET_MILEAGE_UNIT } from '../feed.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../http-errors.js';
import { editorDraft, errorBody, idParams, textRegeneration } from '../schemas.js';
import { editorDraftView } from './editor.routes.js';

/** What the stored draft keeps of how its text was written (the pipeline stores the same keys). */
const TEXT_ATTRIBUTES = ['textSource', 'highlights', 'textAttempts', 'textFallback', 'textViolations'] as const;

export const draftTextRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  const settings = ctx.config.analysis.listingText;
  // One client per process: it remembers a server that keeps failing and stops asking it.
  const llm = createLlmClient(ctx.config.llm, settings.llmMaxConsecutiveFailures, ctx.log);

  app.post(
    '/api/drafts/:id/text',
    {
      schema: {
        summary: "Write the draft's title and description again from its facts (the seller's first): the LLM when configured, else the template",
        params: idParams,
        body: textRegeneration,
        response: { 200: editorDraft, 400: errorBody, 401: errorBody, 404: errorBody, 409: errorBody },
      },
    },
    async (request, reply) => {
      const dealerId = dealerOf(request).id;
      const found = await getDraftListingFacts(ctx.db, dealerId, request.params.id, MARKET_MILEAGE_UNIT[ctx.config.analysis.text.market]);
      if (!found) return notFound(reply, 'no such draft');
      if (found.handWritten.length > 0 && !request.body.replaceHandWritten) {
        const which = found.handWritten.join(' and ');
        return reply.code(409).send({ error: { code: 'TEXT_HAND_WRITTEN', message: `the ${which} was written by hand: send replaceHandWritten: true to replace it` } });
      }
      // Outside any transaction: an LLM answer takes seconds.
      const written = await writeListingText(found.facts, { llm, settings, log: ctx.log.child({ draft: request.params.id }) });
      const attributes = Object.fromEntries(TEXT_ATTRIBUTES.map((key) => [key, written.attributes[key] ?? null]));
      const draft = await replaceDraftText(ctx.db, dealerId, request.params.id, { title: written.title, description: written.description, attributes });
      return draft ? editorDraftView(draft) : notFound(reply, 'no such draft');
    },
  );
};
