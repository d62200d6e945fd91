// @switchyard/cli as a library: the pieces of the `switchyard` command that
// other tools (and the migrate command) build on.
export { main, runMain } from './main.js';
export { loadObjects, loadSourcedObjects, parseManifests, formatLoadError, type LoadError, type LoadResult, type SourcedObject } from './load-objects.js';
export { renderTranslation, renderFleet, type RenderedTranslation, type RenderedFleet } from './render.js';
export { synthesizeMissingEndpointSlices } from './missing-endpoints.js';
export { startStandalone, type Standalone, type StandaloneOptions, type StandaloneState } from './standalone/index.js';
export type { Io } from './io.js';
