// The UI's looks, adopted by its shadow root as a constructed stylesheet: no <style> element and
// no style attribute, so a strict Content-Security-Policy (`style-src 'self'`) has nothing to refuse.
// Themes set the `--outbox-*` custom properties on the `outbox-ui` element (or any ancestor).

const css = `
:host{--_bg:var(--outbox-bg,#fff);--_fg:var(--outbox-fg,#1f2937);--_muted:var(--outbox-muted,#4b5563);
--_accent:var(--outbox-accent,#1d4ed8);--_on-accent:var(--outbox-on-accent,#fff);--_danger:var(--outbox-danger,#b91c1c);
--_border:var(--outbox-border,#9ca3af);--_radius:var(--outbox-radius,.75rem);
font:var(--outbox-font,1rem/1.4 system-ui,sans-serif);color:var(--_fg);color-scheme:light dark}
@media (prefers-color-scheme:dark){:host{--_bg:var(--outbox-bg,#111827);--_fg:var(--outbox-fg,#f9fafb);
--_muted:var(--outbox-muted,#d1d5db);--_accent:var(--outbox-accent,#93c5fd);--_on-accent:var(--outbox-on-accent,#111827);
--_danger:var(--outbox-danger,#fca5a5);--_border:var(--outbox-border,#6b7280)}}
*{box-sizing:border-box}[hidden]{display:none!important}input{accent-color:var(--_accent)}
.layout{position:fixed;z-index:var(--outbox-z,2147483000);display:flex;flex-direction:column;gap:.5rem;
max-width:min(28rem,calc(100vw - 2rem));max-height:calc(100vh - 2rem);overflow:auto;margin:1rem}
.layout[data-placement$=right]{right:0;align-items:flex-end}.layout[data-placement$=left]{left:0;align-items:flex-start}
.layout[data-placement^=bottom]{bottom:0;flex-direction:column-reverse}.layout[data-placement^=top]{top:0}
.chip,.panel,.notice,dialog{background:var(--_bg);color:var(--_fg);border:1px solid var(--_border);border-radius:var(--_radius);
box-shadow:0 .25rem 1rem rgb(0 0 0/.2)}
.chip{display:flex;align-items:center;gap:.75rem;padding:.4rem .5rem .4rem 1rem;animation:in .2s ease-out}
.panel,.notice{padding:.75rem 1rem}
h2{font-size:1.15rem;margin:0 0 .5rem}h3{font-size:1rem;margin:0}p{margin:.25rem 0}
ul{list-style:none;margin:0;padding:0}li{padding:.5rem 0;border-top:1px solid var(--_border)}
button{font:inherit;cursor:pointer;border-radius:.5rem;padding:.3rem .8rem;border:1px solid var(--_accent);
background:var(--_bg);color:var(--_accent)}
button.primary{background:var(--_accent);color:var(--_on-accent)}
button:focus-visible,input:focus-visible{outline:3px solid var(--_accent);outline-offset:2px}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}
.reason{color:var(--_danger)}.muted{color:var(--_muted)}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
dialog{width:min(40rem,calc(100vw - 2rem));max-height:calc(100vh - 2rem);overflow:auto;padding:1.25rem}
dialog::backdrop{background:rgb(0 0 0/.45)}
fieldset{border:1px solid var(--_border);border-radius:.5rem;margin:.75rem 0;padding:.5rem .75rem}
legend{font-weight:600;padding:0 .25rem}
label{display:flex;gap:.5rem;align-items:baseline;padding:.15rem 0;overflow-wrap:anywhere}
input[type=text]{font:inherit;color:var(--_fg);background:var(--_bg);border:1px solid var(--_border);border-radius:.375rem;
padding:.2rem .4rem;flex:1;min-width:6rem}
@keyframes in{from{opacity:0;transform:translateY(.5rem)}}
@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}
`;

let sheet: CSSStyleSheet | null = null;

/** Gives a shadow root the UI's stylesheet (one constructed sheet, shared by every mount). */
export function adoptStyles(root: ShadowRoot): void {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
