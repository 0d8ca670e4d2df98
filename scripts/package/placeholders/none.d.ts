// The README's worker and Playwright snippets call no code of the app's.
export {};
