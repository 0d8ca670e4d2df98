// Building the UI's elements without markup strings: no innerHTML, and never a style attribute
// (a strict Content-Security-Policy refuses those; the looks are all in styles.ts).

type Child = Node | string | null | false;

/**
 * An element with attributes (`true` sets an empty one, `false`/undefined leaves it out) and
 * children (text is always text, never markup).
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '');
    else if (typeof value === 'string') element.setAttribute(name, value);
  }
  element.append(...children.filter((child): child is Node | string => child !== null && child !== false));
  return element;
}

/** A button that runs `action` when pressed. */
export function button(text: string, action: () => void, className = ''): HTMLButtonElement {
  const element = el('button', { type: 'button', class: className || undefined }, text);
  element.addEventListener('click', action);
  return element;
}

let ids = 0;

/** An id unique in the page, for aria-labelledby and label/for pairs inside the shadow root. */
export function uniqueId(prefix: string): string {
  return `outbox-${prefix}-${++ids}`;
}

/** The focused element of the document or shadow root `node` is in. */
export function focusedIn(node: Node): Element | null {
  const root = node.getRootNode();
  return root instanceof ShadowRoot || root instanceof Document ? root.activeElement : null;
}
