/** Loads the demo model (examples/digits-cnn) and its test digits over HTTP. */
import type { Graph } from '@nrm/core';
import { graphFromLayersModel, loadLayersModelFromMemory } from '@nrm/graph';

/** A committed test digit (`examples/digits-cnn/model/test-digits.json`). */
export interface TestDigit {
  /** Position in the test split. */
  readonly index: number;
  /** The true class. */
  readonly label: number;
  /** 28 × 28 grey values in [0, 1], row-major. */
  readonly pixels: readonly number[];
}

async function fetchOk(url: URL): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url.href} answered ${response.status} ${response.statusText}`);
  return response;
}

/**
 * The canonical graph of `model/model.json` (weights from the files its manifest names, relative
 * to it) and the test digits of `model/test-digits.json`. Needs a started tfjs backend.
 */
export async function loadDemo(base: URL): Promise<{ graph: Graph; digits: TestDigit[] }> {
  const modelUrl = new URL('model/model.json', base);
  const json = (await (await fetchOk(modelUrl)).json()) as { weightsManifest: { paths: string[] }[] };
  const paths = json.weightsManifest.flatMap((group) => group.paths);
  const weights = await Promise.all(paths.map(async (p) => (await fetchOk(new URL(p, modelUrl))).arrayBuffer()));
  const model = await loadLayersModelFromMemory(json, weights);
  let graph: Graph;
  try {
    graph = graphFromLayersModel(model);
  } finally {
    model.dispose();
  }
  const digits = (await (await fetchOk(new URL('model/test-digits.json', base))).json()) as TestDigit[];
  return { graph, digits };
}
