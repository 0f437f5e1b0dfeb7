import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, type Registry } from '@nrm/core';

/** Starts the named backend (once per process; switching is allowed). */
export async function useBackend(registry: Registry, name: string): Promise<void> {
  const backend = registry.backend(name);
  const report = await backend.isSupported();
  if (!report.supported) throw new BackendUnavailableError(name, report.reason);
  if (tf.getBackend() !== name) await backend.setup();
}
