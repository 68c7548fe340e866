/**
 * The seller's corrections of the split into cars: merge a car with another car of its video, split a
 * car at a moment or a photo. Each answers with the video's cars as they are now. Another dealer's car
 * is 404; a correction that cannot apply to these cars is 422 with its own code.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { mergeCars, splitCar, type CorrectedCars } from '../../store/car-corrections.repository.js';
import { listCars } from '../../store/service.repository.js';
import { dealerOf } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../http-errors.js';
import { car, carMerge, carSplit, errorBody, idParams } from '../schemas.js';
import { carView } from '../views.js';

export const carRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  const answers = { 200: z.array(car), 400: errorBody, 401: errorBody, 404: errorBody, 422: errorBody };
  const carsNow = async (dealerId: string, done: CorrectedCars) => ((await listCars(ctx.db, dealerId, done.videoId)) ?? []).map(carView);

  app.post(
    '/api/cars/:id/merge',
    {
      schema: {
        summary: "Merge another car of the same video into this one: the earlier car keeps its id and draft (to review again) and takes the other's footage, photos and evidence",
        params: idParams,
        body: carMerge,
        response: answers,
      },
    },
    async (request, reply) => {
      const dealerId = dealerOf(request).id;
      const done = await mergeCars(ctx.db, dealerId, request.params.id, request.body.carId);
      return done ? carsNow(dealerId, done) : notFound(reply, 'no such car');
    },
  );

  app.post(
    '/api/cars/:id/split',
    {
      schema: {
        summary: 'Split a car in two at a moment (atMs) or at one of its photos (photoId, which starts the new car); both drafts need review',
        params: idParams,
        body: carSplit,
        response: answers,
      },
    },
    async (request, reply) => {
      const dealerId = dealerOf(request).id;
      const done = await splitCar(ctx.db, dealerId, request.params.id, request.body);
      return done ? carsNow(dealerId, done) : notFound(reply, 'no such car');
    },
  );
};
