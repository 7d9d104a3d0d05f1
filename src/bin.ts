#!/usr/bin/env node
import * as nodeModule from 'node:module';

// The `kops-audit` command (dist/kops-audit.js). Node >= 22.1 can keep the code it compiles between
// runs; Node 20 has no such call, and runs without it.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// Imported only once the cache is on, so that the CLI itself is compiled through it.
await import('./cli/run.js');
