#!/usr/bin/env node
// The Envoy stand-in (test tooling, not Envoy): docs/envoy-standin.md.
import '../dist/e2e/envoy-standin/src/main.js';
