import { listSettings, numericSettings, type OutboxSettings } from '../protocol';
import { isUiAttribute } from '../ui/settings';

/** `data-self-field` → `selfField`: every setting has one name, kebab-case only as an attribute. */
export function camelCase(kebab: string): string {
  return kebab.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Attributes of the drop-in script tag that are not worker settings. */
const scriptAttributes = new Set(['sw', 'config', 'scope']);
const lists = new Set<string>(listSettings);
const numbers = new Set<string>(numericSettings);

/** Worker settings from a script tag's data- attributes, typed as their JSON counterparts (the page's `ui` setting is not one). */
export function settingsFromDataset(dataset: DOMStringMap): Partial<OutboxSettings> {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(dataset)) {
    if (value === undefined || scriptAttributes.has(key) || isUiAttribute(key)) continue;
    if (lists.has(key)) settings[key] = value.split(',').map((item) => item.trim()).filter(Boolean);
    else if (numbers.has(key)) settings[key] = Number(value);
    else if (key === 'coalesce') settings[key] = value !== 'false';
    else settings[key] = value;
  }
  return settings as Partial<OutboxSettings>;
}
