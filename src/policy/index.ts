/** The audit policy engine: load and validate as kube-apiserver does, evaluate, lint. Pure: no I/O. */

export * from './coverage.js';
export * from './evaluate.js';
export * from './event-request.js';
export * from './lint.js';
export * from './load.js';
export * from './types.js';
export * from './validate.js';
export * from './version.js';
