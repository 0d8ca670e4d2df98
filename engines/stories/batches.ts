// A drain through batches: writes queued offline over several resources reach a server that speaks
// batch (the demo server, on the server kit) a batch at a time, each applied once and in order.
import assert from 'node:assert/strict';
import { openOutboxPage, sendJson, waitForDrain } from '../page';
import type { Story } from './story';

export const batches: Story = {
  name: '10 writes queued offline drain through batches: fewer requests than writes, each write applied once, each resource in order',
  async run({ browser, server }) {
    const todos = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((title) => server.create(title)));
    await openOutboxPage(browser, '/engines.html');
    // One write online: its answer names the server's batch URL.
    assert.equal((await sendJson(browser, 'PATCH', `/api/todos/${todos[0]!.id}`, { notes: 'online' })).status, 200);
    await browser.setOffline(true);
    for (let round = 1; round <= 3; round++) {
      for (const todo of todos) assert.equal((await sendJson(browser, 'PATCH', `/api/todos/${todo.id}`, { title: `${todo.title} ${round}` })).status, 202);
    }
    await browser.setOffline(false);
    await waitForDrain(browser);
    const patches = (await server.writes()).filter((write) => write.method === 'PATCH').slice(1);
    assert.equal(patches.length, 15, 'every queued write applied once');
    assert.equal(new Set(patches.map((write) => write.idempotencyKey)).size, 15);
    for (const todo of todos) {
      const titles = patches.filter((write) => write.todoId === todo.id).map((write) => JSON.parse(write.body).title);
      assert.deepEqual(titles, [1, 2, 3].map((round) => `${todo.title} ${round}`), `${todo.title}'s writes in the order made`);
    }
    const requests = await server.batches();
    // Five lanes three deep: three rounds at the least. The network is cut behind the engine's back,
    // so it tries the writes as they are queued and each lane fails into a backoff of its own
    // (jittered); lanes that come due apart once the network is back go in batches of their own
    // (nine requests once in WebKit on a loaded machine). Fewer requests than writes is what
    // batching must show here; e2e/batch.spec.ts holds a drain of 200 writes to a handful of requests.
    assert.ok(requests >= 3 && requests < patches.length, `the drain took ${requests} batch requests for ${patches.length} writes`);
  },
};
