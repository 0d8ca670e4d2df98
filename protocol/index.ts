// What the worker and its pages share: wire types, names, and the settings. Both sides import
// this module, never each other's internals.
export type * from './wire';
export * from './names';
export * from './settings';
export * from './batch';
