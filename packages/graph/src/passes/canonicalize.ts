/** The canonicalization pipeline. */
import type { Graph } from '@nrm/core';
import { dropIdentities } from './drop-identities.js';
import { foldBatchNorm } from './fold-batch-norm.js';
import { splitActivations } from './split-activations.js';
import { stripFinalSoftmax } from './strip-final-softmax.js';

/**
 * `splitActivations → dropIdentities → foldBatchNorm → stripFinalSoftmax`.
 *
 * Activations are split first, so a BN after a fused ReLU is never folded through the ReLU (it
 * stays a `batchNorm` node); identities are dropped before folding, so a Dropout between a conv
 * and its BN does not block the fold. The result has no `activation` fields, no dropout/identity
 * nodes, no BN that could be folded, and no softmax. Pure.
 */
export function canonicalize(graph: Graph): Graph {
  return stripFinalSoftmax(foldBatchNorm(dropIdentities(splitActivations(graph))));
}
