import type { WriteContext } from './core';
import { problems } from './problem';
import type { ProblemRenderer } from './problem';

/**
 * What an app's own route gets from the kit's middleware (Express) or hook (Fastify), where the
 * route answers through its framework rather than by returning a Fetch Response.
 */
export interface RouteContext<Tx> {
  /** The request's Idempotency-Key (decoded), when it has one. */
  readonly key: string | undefined;
  /**
   * Runs `work` in one transaction of the store's database and resolves with what it returns.
   * Send the route's answer inside `work` (`res.status(201).json(…)`, `reply.code(201).send(…)`):
   * the kit records that answer against the key in the same transaction, so the write and its
   * replayable answer commit together, or neither does. A route's preconditions are checked again
   * inside it. One transaction per request.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

/** Thrown to the kit when a route's transaction failed: its answer goes out, but is never kept. */
export class AnswerNotKept extends Error {
  constructor(readonly answer: Response) {
    super("sw-outbox/server: the route's transaction failed; its answer is sent but not kept");
  }
}

/** A route context and what the adapter needs to settle the request once the route has answered. */
export interface RouteRun<Tx> {
  context: RouteContext<Tx>;
  /**
   * The answer to hand back to the kit, given the one the route sent: what the kit's transaction
   * settled on when the route used one (the same answer, or the kit's own after a rollback), else
   * the route's. Rejects with AnswerNotKept when the route's transaction failed.
   */
  settle(routeAnswer: Response): Promise<Response>;
}

/** How a route context sees the route's answer go out. */
export interface AnswerWatch {
  /** Settles once the route has begun to send its answer. */
  readonly started: Promise<void>;
  /** The route's answer, complete, once it has begun to send it (undefined before). */
  answer(): Promise<Response> | undefined;
}

/**
 * Wraps the kit's WriteContext for a framework route, which answers through `watch`; `problem`
 * writes the kit's own errors.
 */
export function routeRun<Tx>(write: WriteContext<Tx>, watch: AnswerWatch, problem: ProblemRenderer): RouteRun<Tx> {
  let transaction: Promise<Response> | undefined;
  return {
    context: {
      key: write.key,
      async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
        let finished: Promise<T> | undefined;
        transaction = write.transaction(async (tx) => {
          finished = work(tx);
          // The answer may be recorded before `work` settles: a Fastify reply is a thenable that
          // settles once it has gone out, so `return reply.send(…)` settles only after the commit.
          await Promise.race([finished, watch.started]);
          const answer = watch.answer();
          if (answer === undefined) {
            throw new Error('sw-outbox/server: send the answer inside exactlyOnce.transaction(…) (res.json, reply.send…), so it is recorded with the write');
          }
          return answer;
        });
        await transaction;
        return finished as Promise<T>;
      },
    },
    async settle(routeAnswer) {
      if (transaction === undefined) return routeAnswer;
      try {
        return await transaction;
      } catch {
        // The write rolled back, so the key is released. The route's answer goes out unless it
        // claims a success (it was sent before its transaction failed): that one would be a lie.
        throw new AnswerNotKept(routeAnswer.ok ? problem(problems.transactionFailed()) : routeAnswer);
      }
    },
  };
}
