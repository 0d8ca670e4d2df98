// The drop-in page script (`dist/outbox.js`), a classic script:
//   <script src="/outbox.js" data-sw="/outbox-sw.js" data-routes="/api/"></script>
// Settings come from data- attributes and/or a JSON file (`data-config`); attributes win.
// `window.outbox` is the client at once; `window.outbox.ready` resolves when it is connected.
// The outbox's UI for the person (sw-outbox/ui) shows unless `data-ui="off"` (or `"ui": "off"`).
import { OutboxClient } from './client';
import { settingsFromDataset } from './settings';
import { registerWorker } from './register';
import type { OutboxSettings } from '../protocol';
import { mountOutboxUI } from '../ui/mount';
import { uiOptionsFrom, type UiSetting } from '../ui/settings';

declare global {
  interface Window {
    outbox: OutboxClient;
  }
}

const script = document.currentScript as HTMLScriptElement | null;
const dataset = script?.dataset ?? {};

/** The settings file's worker settings and its `ui` setting (the page's own). */
async function fileSettings(): Promise<{ worker: Partial<OutboxSettings>; ui: UiSetting | undefined }> {
  if (!dataset.config) return { worker: {}, ui: undefined };
  const response = await fetch(dataset.config);
  if (!response.ok) throw new Error(`sw-outbox: could not load ${dataset.config} (HTTP ${response.status})`);
  const { ui, ...worker } = (await response.json()) as Partial<OutboxSettings> & { ui?: UiSetting };
  return { worker, ui };
}

const client = new OutboxClient({
  sw: dataset.sw ?? '/outbox-sw.js',
  scope: dataset.scope,
  config: dataset.config ? undefined : settingsFromDataset(dataset),
  register: !dataset.config,
});
const fromFile = fileSettings();

if (dataset.config) {
  // With a JSON file the settings are only known after it loads; register then.
  void fromFile.then(({ worker }) => registerWorker(dataset.sw ?? '/outbox-sw.js', { ...worker, ...settingsFromDataset(dataset) }, dataset.scope));
}

window.outbox = client;
void client.ready.then(() => window.dispatchEvent(new CustomEvent('outbox:ready', { detail: client })));

/** Mounts the UI once the page has a body (the script may run in its head). */
async function showUi(): Promise<void> {
  // A settings file that cannot be read is reported by the registration; the UI shows without it.
  const { ui } = await fromFile.catch(() => ({ ui: undefined }));
  const options = uiOptionsFrom(ui, dataset);
  if (!options) return;
  if (!document.body) await new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true }));
  mountOutboxUI(client, options);
}
void showUi();
