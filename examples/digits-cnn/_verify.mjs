import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '/work/main/node_modules/.pnpm/@tensorflow+tfjs-backend-cpu@4.22.0_@tensorflow+tfjs-core@4.22.0/node_modules/@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.node.js';
import { registerWasmConv2DGradients } from './wasm-conv2d-grads.mjs';
import { mulberry32 } from './split.mjs';
await tf.setBackend('wasm'); registerWasmConv2DGradients();
const rng = mulberry32(1);
const rand = (n) => Float32Array.from({length:n}, () => rng()*2-1);
const cases = [
  {x:[64,28,28,1], f:[3,3,1,8], s:1, pad:'same'},
  {x:[64,28,28,8], f:[3,3,8,8], s:1, pad:'same'},
  {x:[64,14,14,8], f:[3,3,8,16], s:1, pad:'same'},
  {x:[64,14,14,16], f:[3,3,16,16], s:1, pad:'same'},
  {x:[2,9,11,3], f:[3,2,3,5], s:2, pad:'same'},
  {x:[2,10,10,3], f:[3,3,3,4], s:2, pad:'same'},
  {x:[2,9,11,3], f:[3,3,3,4], s:[2,1], pad:'valid'},
  {x:[2,9,9,3], f:[3,3,3,4], s:1, pad:'valid'},
  {x:[2,10,10,2], f:[5,5,2,3], s:1, pad:2},
  {x:[2,10,10,2], f:[5,4,2,3], s:1, pad:'same'},
  {x:[2,10,12,2], f:[3,3,2,3], s:1, pad:[[0,0],[0,2],[1,0],[0,0]]},
  {x:[2,11,12,2], f:[3,3,2,3], s:3, pad:'valid'},
];
let worst = 0;
for (const c of cases) {
  const xd = rand(c.x.reduce((a,b)=>a*b)), wd = rand(c.f.reduce((a,b)=>a*b));
  const res = {};
  for (const be of ['cpu','wasm']) {
    await tf.setBackend(be);
    const x = tf.tensor4d(xd, c.x), w = tf.tensor4d(wd, c.f);
    const yShape = tf.conv2d(x, w, c.s, c.pad).shape;
    const r2 = mulberry32(7); const dy = tf.tensor4d(Float32Array.from({length: yShape.reduce((a,b)=>a*b)}, ()=>r2()*2-1), yShape);
    const before = tf.engine().backend.numDataIds();
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, {strides: c.s, pad: c.pad, dataFormat:'NHWC', filterShape: c.f});
    const dx = tf.engine().runKernel('Conv2DBackpropInput', {dy, filter: w}, {strides: c.s, pad: c.pad, dataFormat:'NHWC', inputShape: c.x});
    const leaked = tf.engine().backend.numDataIds() - before - 2;
    res[be] = {dw: dw.dataSync(), dx: dx.dataSync(), dwShape: dw.shape+'', dxShape: dx.shape+'', leaked};
  }
  const rel=(a,b)=>{let m=0, s=0; for (let i=0;i<a.length;i++){ m=Math.max(m,Math.abs(a[i]-b[i])); s=Math.max(s,Math.abs(a[i]));} return m/s};
  const e1 = rel(res.cpu.dw,res.wasm.dw), e2 = rel(res.cpu.dx,res.wasm.dx); worst=Math.max(worst,e1,e2);
  console.log(JSON.stringify(c), 'dW', res.wasm.dwShape, e1.toExponential(1), 'dX', res.wasm.dxShape, e2.toExponential(1), 'leaked', res.wasm.leaked, res.cpu.dwShape===res.wasm.dwShape && res.cpu.dxShape===res.wasm.dxShape);
}
console.log('worst rel', worst);
