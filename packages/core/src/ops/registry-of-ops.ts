import { NrmError } from '../errors.js';
import type { OpKind } from '../ir.js';
import { batchNormOp, conv2dOp, conv2dTransposeOp, denseOp, depthwiseConv2dOp } from './linear-ops.js';
import type { OpImpl } from './op-impl.js';
import { avgPool2dOp, globalAvgPool2dOp, globalMaxPool2dOp, maxPool2dOp } from './pool-ops.js';
import { addOp, concatOp, flattenOp, identityOp, reluOp, reshapeOp, upSampling2dOp, zeroPadding2dOp } from './shape-ops.js';

const notCanonical = (op: OpKind): OpImpl => ({
  forward: () => {
    throw new NrmError('INVALID_ARGUMENT', `Op '${op}' must be removed by the canonicalization passes before explaining (canonicalize(graph)).`);
  },
  vjp: () => {
    throw new NrmError('INVALID_ARGUMENT', `Op '${op}' has no backward; canonicalize the graph first.`);
  },
});

/** The engine's implementation of every op kind. */
export const OPS: Readonly<Record<OpKind, OpImpl>> = {
  input: identityOp,
  dense: denseOp,
  conv2d: conv2dOp,
  conv2dTranspose: conv2dTransposeOp,
  depthwiseConv2d: depthwiseConv2dOp,
  batchNorm: batchNormOp,
  relu: reluOp,
  maxPool2d: maxPool2dOp,
  avgPool2d: avgPool2dOp,
  globalAvgPool2d: globalAvgPool2dOp,
  globalMaxPool2d: globalMaxPool2dOp,
  flatten: flattenOp,
  reshape: reshapeOp,
  add: addOp,
  concat: concatOp,
  upSampling2d: upSampling2dOp,
  zeroPadding2d: zeroPadding2dOp,
  identity: identityOp,
  dropout: identityOp,
  softmax: notCanonical('softmax'),
};
