/** Area under a sampled curve. */
import { InvalidArgumentError } from '@nrm/core';

/**
 * The trapezoidal area under the curve through the points `(x_i, y_i)`, with `x` ascending:
 * `Σ (x_{i+1} − x_i) (y_i + y_{i+1}) / 2`. NaN when a `y` is NaN; 0 for fewer than two points.
 *
 * @throws InvalidArgumentError if the lengths differ or `x` decreases.
 */
export function trapezoidAuc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new InvalidArgumentError(`trapezoidAuc needs as many x as y values, got ${x.length} and ${y.length}.`);
  let area = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const dx = x[i + 1]! - x[i]!;
    if (dx < 0) throw new InvalidArgumentError(`trapezoidAuc needs ascending x; x[${i + 1}] = ${x[i + 1]} < x[${i}] = ${x[i]}.`);
    area += (dx * (y[i]! + y[i + 1]!)) / 2;
  }
  return area;
}
