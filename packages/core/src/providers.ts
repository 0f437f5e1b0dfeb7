/**
 * Which first-party package provides which rule, composite, adapter or backend: used to tell a
 * user what to install when they ask for something that is not registered.
 */
export const KNOWN_PROVIDERS: Readonly<Record<string, string>> = {
  'rule:lrp/epsilon': '@nrm/rules-lrp',
  'rule:lrp/z-plus': '@nrm/rules-lrp',
  'rule:lrp/alpha-beta': '@nrm/rules-lrp',
  'rule:lrp/gamma': '@nrm/rules-lrp',
  'rule:lrp/z-box': '@nrm/rules-lrp',
  'rule:lrp/flat': '@nrm/rules-lrp',
  'rule:lrp/w-square': '@nrm/rules-lrp',
  'rule:lrp/pass': '@nrm/rules-lrp',
  'rule:lrp/norm': '@nrm/rules-lrp',
  'rule:lrp/winner-take-all': '@nrm/rules-lrp',
  'rule:gradient/gradient': '@nrm/rules-gradient',
  'rule:gradient/times-input': '@nrm/rules-gradient',
  'rule:gradient/deconvnet-relu': '@nrm/rules-gradient',
  'rule:gradient/guided-relu': '@nrm/rules-gradient',
  'composite:deconvnet': '@nrm/rules-gradient',
  'composite:guided-backprop': '@nrm/rules-gradient',
  'composite:epsilon': '@nrm/rules-lrp',
  'composite:epsilon-plus-flat': '@nrm/rules-lrp',
  'composite:epsilon-gamma-box': '@nrm/rules-lrp',
  'composite:epsilon-alpha2-beta1': '@nrm/rules-lrp',
  'composite:gradient': '@nrm/rules-gradient',
  'composite:gradient-x-input': '@nrm/rules-gradient',
  'composite:relative': '@nrm/rules-relative',
  'adapter:tfjs-layers': '@nrm/graph',
  'backend:cpu': '@nrm/backend-cpu',
  'backend:wasm': '@nrm/backend-wasm',
  'backend:webgpu': '@nrm/backend-webgpu',
  'backend:tensorflow': '@nrm/backend-node',
};
