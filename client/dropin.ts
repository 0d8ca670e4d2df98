// The drop-in page script (`dist/outbox.js`), a classic script:
//   <script src="/outbox.js" data-sw="/outbox-sw.js" data-routes="/api/"></script>
// Settings come from data- attributes and/or a JSON file (`data-config`); attributes win.
// `window.outbox` is the client at once; `window.outbox.ready` resolves when it is connected.
import { OutboxClient } from './client';
import { settingsFromDataset } from './settings';
import { registerWorker } from './register';
import type { OutboxSettings } from '../protocol';

declare global {
  interface Window {
    outbox: OutboxClient;
  }
}

const script = document.currentScript as HTMLScriptElement | null;
const dataset = script?.dataset ?? {};

async function fileSettings(): Promise<Partial<OutboxSettings>> {
  if (!dataset.config) return {};
  const response = await fetch(dataset.config);
  if (!response.ok) throw new Error(`sw-outbox: could not load ${dataset.config} (HTTP ${response.status})`);
  return (await response.json()) as Partial<OutboxSettings>;
}

const client = new OutboxClient({
  sw: dataset.sw ?? '/outbox-sw.js',
  scope: dataset.scope,
  config: dataset.config ? undefined : settingsFromDataset(dataset),
  register: !dataset.config,
});

if (dataset.config) {
  // With a JSON file the settings are only known after it loads; register then.
  void fileSettings().then((fromFile) =>
    registerWorker(dataset.sw ?? '/outbox-sw.js', { ...fromFile, ...settingsFromDataset(dataset) }, dataset.scope),
  );
}

window.outbox = client;
void client.ready.then(() => window.dispatchEvent(new CustomEvent('outbox:ready', { detail: client })));
