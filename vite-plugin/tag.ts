// The drop-in script tag for a set of settings: every setting as its kebab-case data- attribute.
import { resolveConfig, type OutboxSettings } from '../protocol';

/** `selfField` → `self-field`. */
export function kebabCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** A setting's value as an attribute carries it; null when it cannot (a route with settings of its own). */
function attributeValue(value: unknown): string | null {
  if (Array.isArray(value)) return value.every((item) => typeof item === 'string' && !item.includes(',')) ? value.join(',') : null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** Where the drop-in's files are served. */
export interface DropInUrls {
  /** The page script, `outbox.js`. */
  script: string;
  /** The worker, `outbox-sw.js`. */
  worker: string;
  /** The settings file, used when some setting has no attribute form. */
  config: string;
}

/**
 * The drop-in tag's attributes: `src`, `data-sw`, and the settings as data- attributes, or, when
 * one of them has no attribute form, `data-config` naming the JSON file that holds them all.
 * Settings are checked first, so a typo fails the build rather than the app.
 */
export function dropInTag(settings: Partial<OutboxSettings>, urls: DropInUrls): { attributes: Record<string, string>; configFile: string | null } {
  resolveConfig(settings);
  const attributes: Record<string, string> = { src: urls.script, 'data-sw': urls.worker };
  const defined = Object.entries(settings).filter(([, value]) => value !== undefined && value !== null);
  for (const [key, value] of defined) {
    const text = attributeValue(value);
    if (text === null) return { attributes: { src: urls.script, 'data-sw': urls.worker, 'data-config': urls.config }, configFile: JSON.stringify(Object.fromEntries(defined), null, 2) };
    attributes[`data-${kebabCase(key)}`] = text;
  }
  return { attributes, configFile: null };
}
