/**
 * What the page exposes as `window.__nrm` for tests and the devtools console: the backend, the
 * current choices and the raw numbers behind the last drawn heatmap.
 */
import type { ChannelChoice, Prediction } from './analysis.js';

/** `window.__nrm`. */
export interface ExposedState {
  /** `'loading'` until the model is up, `'busy'` while computing, `'ready'` when everything is drawn, `'error'`. */
  status: 'loading' | 'busy' | 'ready' | 'error';
  /** The last error message, if any. */
  error: string | null;
  /** tfjs's backend name (`'webgpu'`, `'wasm'` or `'cpu'`). */
  backend: string;
  /** Why this backend, and the WebGPU adapter. */
  backendDetail: string;
  /** Completed refreshes (increases once per finished update of the views). */
  renders: number;
  /** The test digit shown (its `index` in test-digits.json), or `'drawing'`. */
  input: number | 'drawing' | null;
  /** The 784 input pixels explained. */
  pixels: number[];
  /** The composite id. */
  composite: string;
  /** The explained class. */
  target: number | null;
  /** The model's prediction. */
  prediction: Prediction | null;
  /** The channel the heatmap is conditioned on. */
  condition: ChannelChoice | null;
  /** The relevance drawn as the heatmap: `H × W` values (summed over input channels), row-major. */
  lastHeatmap: number[];
  /** The RGBA bytes read back from the heatmap canvas. */
  lastHeatmapRgba: number[];
  /** `μ(channel c @ layer)` per conv layer. */
  channels: Record<string, number[]>;
  /** The layers of the flows view, and whether its diagram is drawn. */
  flowLayers: string[];
  /** Whether the flows diagram for the current input, composite and target is drawn. */
  flowsDrawn: boolean;
  /** Milliseconds of the last refresh's parts. */
  timings: Record<string, number>;
}

declare global {
  interface Window {
    /** The explorer's state (see {@link ExposedState}). */
    __nrm?: ExposedState;
  }
}

/** Creates `window.__nrm` in its loading state. */
export function exposeState(): ExposedState {
  const state: ExposedState = {
    status: 'loading',
    error: null,
    backend: '',
    backendDetail: '',
    renders: 0,
    input: null,
    pixels: [],
    composite: '',
    target: null,
    prediction: null,
    condition: null,
    lastHeatmap: [],
    lastHeatmapRgba: [],
    channels: {},
    flowLayers: [],
    flowsDrawn: false,
    timings: {},
  };
  window.__nrm = state;
  return state;
}
