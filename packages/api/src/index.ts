export * from './object.js';
export * from './snapshot.js';
export * from './condition.js';
