// The app's own code the README's server snippets call: stand-ins, typed as an app would have them.
declare global {
  function applyWrite(tx: unknown, request: Request): Promise<Response>;
  function saveTodo(todo: unknown): Promise<{ id: string }>;
}
export {};
