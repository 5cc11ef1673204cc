// The service's parts beyond the worker and the dashboard, started in this
// order. A new part (the metadata provider, plays import) is one entry here:
// see docs/architecture.md, "Service mode".
import type { ServiceModule } from './host.ts';
import { changesModule } from './changes-module.ts';
import { housekeepingModule } from './housekeeping.ts';
import { playsModule } from './plays-module.ts';
import { providerModule } from './provider-module.ts';

export const SERVICE_MODULES: readonly ServiceModule[] = [changesModule, housekeepingModule, playsModule, providerModule];
