// The drop-in's `ui` setting, from its JSON file and its script tag's data- attributes (these win):
//   JSON:       "ui": "off"   or   "ui": { "placement": "top-left", "text": { "offline": "Hors ligne" } }
//   attributes: data-ui="off", data-ui-placement="top-left", data-ui-text-offline="Hors ligne"
import type { Placement, UiOptions } from './options';
import type { UiTexts } from './texts';

/** The `ui` setting of the drop-in: off, or how to show the UI. */
export type UiSetting = 'off' | { placement?: Placement; text?: Partial<UiTexts> };

/** Whether a data- attribute (as `dataset` names it) belongs to the `ui` setting, not the worker's. */
export function isUiAttribute(key: string): boolean {
  return key === 'ui' || /^ui[A-Z]/.test(key);
}

/** `uiTextChangesWaiting` → `changesWaiting`: a text's name after its attribute's prefix. */
function afterPrefix(key: string, prefix: string): string {
  const rest = key.slice(prefix.length);
  return rest.charAt(0).toLowerCase() + rest.slice(1);
}

/**
 * The UI's options from the JSON file's `ui` and the script tag's attributes (which win), or
 * null when either turns it off. With neither, the UI shows with its defaults.
 */
export function uiOptionsFrom(fromFile: UiSetting | undefined, dataset: DOMStringMap): UiOptions | null {
  if (dataset.ui === 'off' || (dataset.ui === undefined && fromFile === 'off')) return null;
  const file = typeof fromFile === 'object' ? fromFile : {};
  const text: Record<string, string> = { ...file.text };
  for (const [key, value] of Object.entries(dataset)) {
    if (value !== undefined && key.startsWith('uiText') && key !== 'uiText') text[afterPrefix(key, 'uiText')] = value;
  }
  const placement = (dataset.uiPlacement as Placement | undefined) ?? file.placement;
  return { ...(placement ? { placement } : {}), text };
}
