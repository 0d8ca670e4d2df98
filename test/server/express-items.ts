import type { Express, NextFunction, Request, Response } from 'express';
import type express from 'express';
import type { RouteContext } from '../../server/express';
import type { ItemAnswer, ItemsApp } from './items-app';

/** Express 4's and 5's module alike (the suite runs both). */
type ExpressModule = typeof express;

/** Sends an item's answer the Express way. */
function send(res: Response, answer: ItemAnswer): void {
  res.status(answer.status).set('ETag', answer.etag).json(answer.body);
}

/**
 * The items app as ordinary Express routes behind `expressExactlyOnce`, each with its own body
 * parser: creates answer outside a transaction, edits inside the kit's one. `/api/late` answers
 * after its transaction, which the kit refuses. Errors go to `next` (Express 4 does not catch them).
 */
export function expressItemsRoutes(server: Express, parsers: ExpressModule, app: ItemsApp, contextOf: (req: Request) => RouteContext<undefined>): void {
  const caught = (route: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => void route(req, res).catch(next);
  server.post('/api/echo', parsers.raw({ type: () => true, limit: '2mb' }), (req, res) => void res.json(app.digest(req.body as Buffer)));
  server.get('/api/items/:id', (req, res) => {
    const found = app.read(String(req.params.id));
    if (found === undefined) res.status(404).json({ error: 'not found' });
    else send(res, found);
  });
  server.post(
    '/api/items',
    parsers.json(),
    caught(async (req, res) => send(res, await app.create((req.body as { text: string }).text, Number(req.query.slowMs ?? 0)))),
  );
  server.patch(
    '/api/items/:id',
    parsers.json(),
    caught(async (req, res) => {
      await contextOf(req).transaction(async () => {
        const edited = app.edit(String(req.params.id), (req.body as { text: string }).text);
        if (edited === undefined) res.status(404).json({ error: 'not found' });
        else send(res, edited);
      });
    }),
  );
  server.post(
    '/api/late',
    parsers.text({ type: () => true }),
    caught(async (req, res) => {
      const text = await contextOf(req).transaction(async () => String(req.body));
      res.status(201).json({ text });
    }),
  );
}
