/**
 * Laws of the measure on random small nets (dense/relu stacks under `epsilon`, conv nets under
 * `epsilon-plus-flat`), with fast-check: normalization, additivity, marginalization, product and
 * chain rules, batched flows against one-by-one joints, and the walk search against brute force.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '@nrm/backend-cpu';
import {
  allOf,
  channels,
  complement,
  intersection,
  neurons,
  topK,
  topWalks,
  union,
  walkScore,
  type NeuronSet,
  type RelevanceMeasure,
  type WalkSearchInput,
} from './index.js';
import { anyCase, everyNeuron, randomNeurons, scales, withMeasure, type NetCase } from './testing/cases.js';
import { randomIndex } from './testing/nets.js';

beforeAll(() => cpuBackend.setup());

const TOL = 1e-5;

async function values(result: { read(): Promise<{ value: number[] }>; dispose(): void }): Promise<number[]> {
  try {
    return (await result.read()).value;
  } finally {
    result.dispose();
  }
}

const shapeOf = (m: RelevanceMeasure, layer: string) => m.layer(layer).shape;
const channelCount = (shape: readonly number[]) => shape[shape.length - 1]!;

/** Two distinct layers `l` below `m` of the net, at random. */
function pairBelow(rng: () => number, c: NetCase): [string, string] {
  const i = randomIndex(rng, c.net.layers.length - 1);
  const j = i + 1 + randomIndex(rng, c.net.layers.length - 1 - i);
  return [c.net.layers[i]!, c.net.layers[j]!];
}

describe('measure laws on random nets (fast-check)', () => {
  it('every layer’s marginal sums to 1 (sets, channels, heatmaps)', async () => {
    await fc.assert(
      fc.asyncProperty(anyCase, async (c) => {
        await withMeasure(c, async (m) => {
          for (const layer of [...c.net.layers, 'input']) {
            const scale = await scales(m, c.net, layer);
            const all = await values(m.marginal(allOf(layer)));
            const perChannel = m.channelMarginals(layer);
            const rows = (await perChannel.read()).value;
            perChannel.dispose();
            const heatmap = m.conditionalHeatmap([], { layer });
            const h = await heatmap.read();
            heatmap.dispose();
            const size = h.heatmap.length / c.batch;
            scale.forEach((s, n) => {
              if (s === null) return;
              expect(Math.abs(all[n]! - 1)).toBeLessThanOrEqual(TOL * s);
              expect(Math.abs(rows[n]!.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(TOL * s);
              expect(Math.abs(h.heatmap.slice(n * size, (n + 1) * size).reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(TOL * s);
              expect(Math.abs(h.mass[n]! - 1)).toBeLessThanOrEqual(TOL * s);
            });
          }
        });
      }),
      { numRuns: 40 },
    );
  });

  it('is additive over disjoint sets; complements, intersections and selections behave as sets', async () => {
    await fc.assert(
      fc.asyncProperty(anyCase, async (c) => {
        await withMeasure(c, async (m, rng) => {
          const layer = c.net.layers[randomIndex(rng, c.net.layers.length)]!;
          const shape = shapeOf(m, layer);
          const chosen = randomNeurons(rng, shape, 0.6);
          const cut = randomIndex(rng, chosen.length + 1);
          const A = neurons(layer, chosen.slice(0, cut));
          const B = neurons(layer, chosen.slice(cut));
          const k = randomIndex(rng, everyNeuron(shape).length + 1);
          const [a, b, ab, notA, aAndB, aInUnion, top, notTop, all] = await Promise.all(
            [A, B, union(A, B), complement(A), intersection(A, B), intersection(A, union(A, B)), topK(layer, k), complement(topK(layer, k)), allOf(layer)].map(
              (s: NeuronSet) => values(m.marginal(s)),
            ),
          ) as [number[], number[], number[], number[], number[], number[], number[], number[], number[]];
          const scale = await scales(m, c.net, layer);
          scale.forEach((s, n) => {
            if (s === null) return;
            expect(Math.abs(ab[n]! - a[n]! - b[n]!)).toBeLessThanOrEqual(TOL * s);
            expect(Math.abs(a[n]! + notA[n]! - 1)).toBeLessThanOrEqual(TOL * s);
            expect(Math.abs(aAndB[n]!)).toBe(0);
            expect(Math.abs(aInUnion[n]! - a[n]!)).toBeLessThanOrEqual(TOL * s);
            expect(Math.abs(top[n]! + notTop[n]! - all[n]!)).toBeLessThanOrEqual(TOL * s);
          });
        });
      }),
      { numRuns: 40 },
    );
  });

  it('marginalizes: Σ_b μ(A@l, {b}@m) = μ(A@l) over the neurons, and over the channels, of m', async () => {
    await fc.assert(
      fc.asyncProperty(anyCase, async (c) => {
        await withMeasure(c, async (m, rng) => {
          const [l, upper] = pairBelow(rng, c);
          const A = neurons(l, randomNeurons(rng, shapeOf(m, l)));
          const marginal = await values(m.marginal(A));
          const upperShape = shapeOf(m, upper);
          const byNeuron = marginal.map(() => 0);
          for (const b of everyNeuron(upperShape)) (await values(m.joint(A, neurons(upper, [b])))).forEach((v, n) => (byNeuron[n]! += v));
          const byChannel = marginal.map(() => 0);
          for (let b = 0; b < channelCount(upperShape); b++) (await values(m.joint(A, channels(upper, [b])))).forEach((v, n) => (byChannel[n]! += v));
          const scale = await scales(m, c.net, l);
          scale.forEach((s, n) => {
            if (s === null) return;
            expect(Math.abs(byNeuron[n]! - marginal[n]!), `${l} ← ${upper} by neuron`).toBeLessThanOrEqual(TOL * s);
            expect(Math.abs(byChannel[n]! - marginal[n]!), `${l} ← ${upper} by channel`).toBeLessThanOrEqual(TOL * s);
          });
        });
      }),
      { numRuns: 30 },
    );
  });

  it('obeys the product rule μ(A, B) = μ(A | B) μ(B), B one or two events, A below, above or beside', async () => {
    await fc.assert(
      fc.asyncProperty(anyCase, fc.boolean(), async (c, twoGiven) => {
        await withMeasure(c, async (m, rng) => {
          const pick = () => c.net.layers[randomIndex(rng, c.net.layers.length)]!;
          const set = (layer: string) => neurons(layer, randomNeurons(rng, shapeOf(m, layer), 0.5));
          const A = set(pick());
          const given = twoGiven ? [set(pick()), set(pick())] : [set(pick())];
          const cond = m.conditional(A, ...given);
          const data = await cond.read();
          cond.dispose();
          const jointValue = await values(m.joint(A, ...given));
          const givenValue = await values(m.joint(...given));
          const jointScale = await scales(m, c.net, cond.layer);
          const givenScale = await scales(m, c.net, cond.givenLayer);
          const givenTotals = m.totals(cond.givenLayer);
          const { total, absolute } = await givenTotals.read();
          givenTotals.dispose();
          jointScale.forEach((s, n) => {
            const g = givenScale[n];
            if (s === null || g === null || g === undefined) return;
            expect(Math.abs(data.joint[n]! - jointValue[n]!), 'joint').toBeLessThanOrEqual(TOL * s);
            expect(Math.abs(data.given[n]! - givenValue[n]!), 'given').toBeLessThanOrEqual(TOL * g);
            const zero = data.flags.some((f) => f.sample === n && f.kind === 'given-zero');
            // given-zero ⇔ |μ(given)| ≤ rtol · Σ|R| / |Z| at the given layer (up to float32 rounding at the edge).
            const edge = (m.relativeTolerance * absolute[n]!) / Math.abs(total[n]!);
            if (zero) expect(Math.abs(data.given[n]!)).toBeLessThanOrEqual(edge * 1.01);
            else expect(Math.abs(data.given[n]!)).toBeGreaterThanOrEqual(edge * 0.99);
            if (zero) {
              expect(data.value[n]).toBeNaN();
            } else {
              expect(Number.isFinite(data.value[n]!)).toBe(true);
              expect(Math.abs(data.value[n]! * data.given[n]! - jointValue[n]!)).toBeLessThanOrEqual(TOL * s);
              expect(data.flags.some((f) => f.sample === n && f.kind === 'given-negative')).toBe(data.given[n]! < 0);
            }
          });
        });
      }),
      { numRuns: 60 },
    );
  });

  it('obeys the chain rule μ(a, b, c) = μ(a | b) μ(b | c) μ(c) for b a single neuron', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(anyCase, async (c) => {
        await withMeasure(c, async (m, rng) => {
          const layers = c.net.layers;
          const i = randomIndex(rng, layers.length - 2);
          const j = i + 1 + randomIndex(rng, layers.length - 2 - i);
          const k = j + 1 + randomIndex(rng, layers.length - 1 - j);
          const [la, lb, lc] = [layers[i]!, layers[j]!, layers[k]!];
          const a = neurons(la, randomNeurons(rng, shapeOf(m, la)));
          // b: a random neuron among those carrying a real share of sample 0's relevance at lb.
          const bIndex = everyNeuron(shapeOf(m, lb));
          const relevance = m.relevance(lb);
          const r0 = Array.from((await relevance.data()).slice(0, bIndex.length));
          relevance.dispose();
          const big = bIndex.filter((_, f) => Math.abs(r0[f]!) >= 0.1 * Math.max(...r0.map(Math.abs)));
          const b = neurons(lb, [big.length > 0 ? big[randomIndex(rng, big.length)]! : bIndex[0]!]);
          const cSet = neurons(lc, randomNeurons(rng, shapeOf(m, lc), 0.7));
          const ab = m.conditional(a, b);
          const bc = m.conditional(b, cSet);
          const [abData, bcData] = [await ab.read(), await bc.read()];
          ab.dispose();
          bc.dispose();
          const mc = await values(m.marginal(cSet));
          const abc = await values(m.joint(a, b, cSet));
          const [sa, sb, sc] = [await scales(m, c.net, la), await scales(m, c.net, lb), await scales(m, c.net, lc)];
          sa.forEach((s, n) => {
            if (s === null || sb[n] === null || sc[n] === null) return;
            // Only where b and c carry a real share of their layers (the ratios are then well conditioned).
            if (Math.abs(abData.given[n]!) < 1e-2 * sb[n]! || Math.abs(mc[n]!) < 1e-2 * sc[n]!) return;
            const rhs = abData.value[n]! * bcData.value[n]! * mc[n]!;
            const bound = 1e-4 * s * sb[n]! * sc[n]! * (1 + Math.abs(abData.value[n]!)) * (1 + Math.abs(bcData.value[n]!)) * (1 + Math.abs(mc[n]!));
            expect(Math.abs(abc[n]! - rhs), `${la} < ${lb} < ${lc}`).toBeLessThanOrEqual(bound);
            compared++;
          });
        });
      }),
      { numRuns: 60 },
    );
    expect(compared, 'samples where the chain rule was compared').toBeGreaterThan(20);
  });

  it('batched flows equal one-by-one joints; the walk search equals a brute-force ranking', async () => {
    await fc.assert(
      fc.asyncProperty(anyCase, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), async (c, chunkSize, topKCount) => {
        await withMeasure(c, async (m, rng) => {
          const candidates = c.net.layers.filter((l) => l !== c.net.target);
          const chosen = candidates.filter(() => rng() < 0.7);
          if (chosen.length < 2) chosen.splice(0, chosen.length, ...candidates.slice(0, 2));
          const f = m.flows([...chosen].reverse(), { chunkSize, topK: topKCount });
          const data = await f.read();
          f.dispose();
          expect(data.layers).toEqual(chosen);
          for (const pair of data.pairs) {
            const lowerScale = await scales(m, c.net, pair.lower);
            const lowerChannels = channelCount(shapeOf(m, pair.lower));
            const upperChannels = channelCount(shapeOf(m, pair.upper));
            for (let a = 0; a < lowerChannels; a++) {
              for (let b = 0; b < upperChannels; b++) {
                const single = await values(m.joint(channels(pair.lower, [a]), channels(pair.upper, [b])));
                lowerScale.forEach((s, n) => {
                  if (s === null) return;
                  expect(Math.abs(pair.J[n]![a]![b]! - single[n]!), `J ${pair.lower}:${a} ${pair.upper}:${b}`).toBeLessThanOrEqual(1e-6 * s);
                });
              }
            }
            for (let b = 0; b < upperChannels; b++) {
              const column = await values(m.joint(allOf(pair.lower), channels(pair.upper, [b])));
              lowerScale.forEach((s, n) => s !== null && expect(Math.abs(pair.colSums[n]![b]! - column[n]!)).toBeLessThanOrEqual(1e-6 * s));
            }
            lowerScale.forEach((s, n) => {
              if (s === null) return;
              pair.rowSums[n]!.forEach((r, a) => expect(Math.abs(r - pair.lowerMarginal[n]![a]!)).toBeLessThanOrEqual(TOL * s));
            });
          }
          // The walks: brute force over every channel walk with the same score.
          for (let n = 0; n < c.batch; n++) {
            const input: WalkSearchInput = {
              flows: data.pairs.map((p) => p.J[n]!),
              marginals: [data.pairs[0]!.lowerMarginal[n]!, ...data.pairs.map((p) => p.upperMarginal[n]!)],
            };
            const counts = input.marginals.map((mm) => mm.length);
            const all: { channels: number[]; score: number }[] = [];
            const walk = (prefix: number[]) => {
              if (prefix.length === counts.length) {
                all.push({ channels: prefix, score: walkScore(input, prefix) });
                return;
              }
              for (let ch = 0; ch < counts[prefix.length]!; ch++) walk([...prefix, ch]);
            };
            walk([]);
            const ranked = all.filter((w) => !Number.isNaN(w.score)).sort((x, y) => y.score - x.score);
            const found = data.walks[n]!;
            // The measure's zero flags use the tolerance, the brute force tests exact zeros: compare where
            // no marginal is near the tolerance's edge.
            const edges = await Promise.all(
              data.layers.map(async (l) => {
                const t = m.totals(l);
                const d = await t.read();
                t.dispose();
                return (10 * m.relativeTolerance * d.absolute[n]!) / Math.abs(d.total[n]!);
              }),
            );
            const tiny = input.marginals.some((row, j) => row.some((v) => v !== 0 && Math.abs(v) <= edges[j]!));
            if (!tiny) expect(found.map((w) => w.score + 0)).toEqual(ranked.slice(0, topKCount).map((w) => w.score + 0));
            for (const w of found) expect(walkScore(input, w.channels)).toBe(w.score);
            // Two layers: the score is the flow itself, and the exact joint equals it.
            if (data.layers.length === 2) {
              const s = (await scales(m, c.net, data.layers[0]!))[n];
              for (const w of found) if (s !== null && s !== undefined) expect(Math.abs(w.joint - w.score)).toBeLessThanOrEqual(TOL * s);
            }
            // The exact joint of the first walk, directly.
            if (found[0]) {
              const direct = await values(m.joint(...found[0].layers.map((l, j) => channels(l, [found[0]!.channels[j]!]))));
              expect(Math.abs(direct[n]! - found[0].joint)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(direct[n]!)));
            }
          }
        });
      }),
      { numRuns: 30 },
    );
  });
});

describe('walk search (pure, fast-check)', () => {
  const matrix = (rows: number, cols: number) =>
    fc.array(fc.array(fc.oneof(fc.constant(0), fc.double({ min: -1, max: 1, noNaN: true })), { minLength: cols, maxLength: cols }), {
      minLength: rows,
      maxLength: rows,
    });
  const searchInput: fc.Arbitrary<WalkSearchInput> = fc
    .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 })
    .chain((counts) =>
      fc.record({
        flows: fc.tuple(...counts.slice(1).map((cols, j) => matrix(counts[j]!, cols))),
        marginals: fc.tuple(...counts.map((n) => fc.array(fc.oneof(fc.constant(0), fc.double({ min: -2, max: 2, noNaN: true })), { minLength: n, maxLength: n }))),
      }),
    );

  it('top-k by dynamic programming equals sorting every walk by the same score (signed factors)', () => {
    fc.assert(
      fc.property(searchInput, fc.integer({ min: 1, max: 8 }), (input, k) => {
        const counts = input.marginals.map((m) => m.length);
        const all: { channels: number[]; score: number }[] = [];
        const walk = (prefix: number[]) => {
          if (prefix.length === counts.length) return void all.push({ channels: prefix, score: walkScore(input, prefix) });
          for (let c = 0; c < counts[prefix.length]!; c++) walk([...prefix, c]);
        };
        walk([]);
        const ranked = all.filter((w) => !Number.isNaN(w.score)).sort((a, b) => b.score - a.score);
        const found = topWalks(input, k);
        // (+ 0 turns −0 into 0: ties between signed zeros may come out in either order.)
        expect(found.map((w) => w.score + 0)).toEqual(ranked.slice(0, k).map((w) => w.score + 0));
        for (const w of found) expect(walkScore(input, w.channels)).toBe(w.score);
        expect(new Set(found.map((w) => w.channels.join())).size).toBe(found.length);
      }),
      { numRuns: 200 },
    );
  });
});
