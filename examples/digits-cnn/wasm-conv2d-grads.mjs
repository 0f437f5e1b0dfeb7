// Conv2D gradient kernels for @tensorflow/tfjs-backend-wasm 4.22.0.
//
// Why: the wasm backend ships no `Conv2DBackpropFilter` kernel, so training
// any Conv2D layer on wasm fails with
//   "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'",
// and its `Conv2DBackpropInput` is a plain loop ~7x slower than its forward
// Conv2D (which runs on XNNPACK). Both gradients are themselves convolutions,
// so this module computes them with the wasm backend's own forward kernels
// (Conv2D, Transpose, Reverse), composed at kernel level:
//
//   dW = conv2d(transpose(x, [3,1,2,0]),            // [C, H, W, N]: channels as batch
//               transpose(dy, [1,2,0,3]),           // [H', W', N, F]: dy as the filter
//               valid, pad = the forward padding, dilation = the forward stride)
//        -> [C, kh, kw, F] -> transpose [1,2,0,3] -> [kh, kw, C, F]
//   dx = conv2d(dy, transpose(reverse(W, [0,1]), [0,1,3,2]),   // "full" conv, stride 1
//               pad = (k - 1 - forward pad) on each side)
//
// Scope: NHWC, dilations 1 (what the Conv2D gradient passes). dW handles any
// stride and 'same' | 'valid' | numeric | explicit padding. dx handles stride 1;
// other strides fall back to the backend's native Conv2DBackpropInput.
// Checked against tfjs-backend-cpu (see README): max relative difference ~1e-6.
// Deterministic: single-threaded wasm, fixed summation order.
//
// Usage: after `await tf.setBackend('wasm')`, call registerWasmConv2DGradients()
// once. Affects only the current process.

import * as tf from '@tensorflow/tfjs-core';

const { backend_util } = tf;

let registered = false;

export function registerWasmConv2DGradients() {
  if (registered) return;
  registered = true;
  const kernel = (name) => {
    const config = tf.getKernel(name, 'wasm');
    if (!config) throw new Error(`wasm backend has no ${name} kernel`);
    return config.kernelFunc;
  };
  const conv2d = kernel('Conv2D');
  const transpose = kernel('Transpose');
  const reverse = kernel('Reverse');
  const slice = kernel('Slice');
  const nativeBackpropInput = tf.getKernel('Conv2DBackpropInput', 'wasm');

  const checkNHWC = (name, dataFormat) => {
    if (dataFormat != null && dataFormat !== 'NHWC') {
      throw new Error(`${name} (wasm-conv2d-grads): only NHWC is supported, got ${dataFormat}`);
    }
  };

  function backpropFilter({ inputs, backend, attrs }) {
    const { x, dy } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
    checkNHWC('Conv2DBackpropFilter', dataFormat);
    const info = backend_util.computeConv2DInfo(
      x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    // Rows/cols of the padded input the forward conv actually read.
    const needH = (info.outHeight - 1) * sh + kh;
    const needW = (info.outWidth - 1) * sw + kw;
    const bottom = Math.max(0, needH - top - info.inHeight);
    const right = Math.max(0, needW - left - info.inWidth);
    const xT = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
    const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
    let r = conv2d({
      inputs: { x: xT, filter: dyT },
      backend,
      attrs: {
        strides: 1,
        pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
        dilations: [sh, sw],
        dataFormat: 'NHWC',
      },
    }); // [C, >=kh, >=kw, F]
    backend.disposeData(xT.dataId);
    backend.disposeData(dyT.dataId);
    if (r.shape[1] !== kh || r.shape[2] !== kw) {
      const cropped = slice({ inputs: { x: r }, backend, attrs: { begin: [0, 0, 0, 0], size: [r.shape[0], kh, kw, r.shape[3]] } });
      backend.disposeData(r.dataId);
      r = cropped;
    }
    const dw = transpose({ inputs: { x: r }, backend, attrs: { perm: [1, 2, 0, 3] } });
    backend.disposeData(r.dataId);
    return dw;
  }

  function backpropInput(args) {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
    checkNHWC('Conv2DBackpropInput', dataFormat);
    const info = backend_util.computeConv2DInfo(
      inputShape, filter.shape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const { filterHeight: kh, filterWidth: kw } = info;
    const { top, bottom, left, right } = info.padInfo;
    const fullPad = [kh - 1 - top, kh - 1 - bottom, kw - 1 - left, kw - 1 - right];
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || fullPad.some((p) => p < 0)) {
      return nativeBackpropInput.kernelFunc(args);
    }
    const flipped = reverse({ inputs: { x: filter }, backend, attrs: { dims: [0, 1] } });
    const wT = transpose({ inputs: { x: flipped }, backend, attrs: { perm: [0, 1, 3, 2] } });
    backend.disposeData(flipped.dataId);
    const dx = conv2d({
      inputs: { x: dy, filter: wT },
      backend,
      attrs: {
        strides: 1,
        pad: [[0, 0], [fullPad[0], fullPad[1]], [fullPad[2], fullPad[3]], [0, 0]],
        dilations: 1,
        dataFormat: 'NHWC',
      },
    });
    backend.disposeData(wT.dataId);
    return dx;
  }

  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: backpropFilter });
  if (nativeBackpropInput) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: backpropInput });
}
