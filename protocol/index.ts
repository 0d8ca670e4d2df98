// What the worker and its pages share: wire types, names, and the settings. Both sides import
// this module, never each other's internals. The batch codec (`./batch`) is imported on its own by
// the worker and the server kit, the two that speak it, so pages do not carry it.
export type * from './wire';
export * from './names';
export * from './settings';
