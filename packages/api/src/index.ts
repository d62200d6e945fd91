export * from './object.js';
export * from './snapshot.js';
export * from './condition.js';
export * from './gateway-api.js';
export * from './core.js';
export * from './switchyard.js';
export * from './kinds.js';
