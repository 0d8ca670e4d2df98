// The demo server the stories run against, started as the browser tests start it: test hooks on,
// a fresh database of its own, on a port the OS picks. Its hooks are called straight, never
// through the link, so a cut network does not stop the test from reading the server.
import { rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Todo, WriteRecord } from '../demo/server/db';
import { spawnOwned, stopProcess } from './processes';

export type { Todo, WriteRecord };

/** An attachment as the server stored it. */
export interface StoredAttachment {
  contentType: string;
  base64: string;
}

/** The running demo server and its test hooks. */
export interface DemoServer {
  readonly port: number;
  reset(): Promise<void>;
  /** The audit log of the writes the server applied, oldest first. */
  writes(): Promise<WriteRecord[]>;
  /** Batch requests received since the last reset. */
  batches(): Promise<number>;
  /** Sets the faults the next mutating requests meet. */
  faults(faults: { fail?: { count: number; status: number; retryAfter?: string } }): Promise<void>;
  todos(): Promise<Todo[]>;
  /** Creates an item straight on the server, as another user would. */
  create(title: string): Promise<Todo>;
  /** Changes an item straight on the server, as another user would. */
  change(id: number, fields: Partial<Todo>): Promise<Todo>;
  attachment(id: number): Promise<StoredAttachment>;
  stop(): Promise<void>;
  /** SIGKILL: no shutdown, no flush; whatever was in flight is cut. Resolves once it is gone. */
  kill(): Promise<void>;
}

export interface DemoServerOptions {
  /** Keeps what `dataDir` holds (a restart after a kill) instead of starting empty. */
  keepData?: boolean;
}

/** Pages the stories open beside the demo's: the drop-in set up for them. */
const fixturePages = 'engines/pages';

/** Starts the demo server with its data in `dataDir` (emptied first unless `keepData`). */
export async function startDemoServer(dataDir: string, options: DemoServerOptions = {}): Promise<DemoServer> {
  if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  const env = { ...process.env, PORT: '0', DATA_DIR: dataDir, OUTBOX_TEST_HOOKS: '1', STATIC_DIRS: `dist/demo:dist:e2e/pages:${fixturePages}` };
  const child = spawnOwned(process.execPath, ['--import', 'tsx', 'demo/server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await announcedPort(child);
  const base = `http://127.0.0.1:${port}`;
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const response = await fetch(base + path, { method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw new Error(`demo server: ${method} ${path} answered ${response.status}: ${await response.text()}`);
    return response;
  };
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => (await call(method, path, body)).json() as Promise<T>;
  return {
    port,
    reset: async () => void (await call('POST', '/__test/reset')),
    writes: () => json('GET', '/__test/writes'),
    batches: async () => ((await json('GET', '/__test/traffic')) as { batches: number }).batches,
    faults: async (faults) => void (await call('POST', '/__test/faults', faults)),
    todos: () => json('GET', '/api/todos'),
    create: (title) => json('POST', '/api/todos', { title }),
    change: (id, fields) => json('PATCH', `/api/todos/${id}`, fields),
    attachment: (id) => json('GET', `/api/attachments/${id}`),
    stop: () => stopProcess(child),
    kill: () => stopProcess(child, 'SIGKILL'),
  };
}

/** Resolves with the port the server prints once it listens; rejects with its output if it dies first. */
function announcedPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /sw-outbox demo: http:\/\/[^:]+:(\d+)\//.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('exit', (code) => reject(new Error(`the demo server exited (${code}) before it listened:\n${output}`)));
  });
}
