/**
 * The race's 2-D loss surfaces, written with nabla's tensor ops so autograd gives their
 * gradients: f(x, y) works elementwise on tensors of any shape (a grid for the contour plot,
 * the point being optimised for the race).
 */
import { randn, type Tensor } from "nabla";

export interface Surface {
  name: string;
  f: (x: Tensor, y: Tensor, noisy: boolean) => Tensor;
  start: [number, number];
  minimum: [number, number];
  /** [xmin, xmax, ymin, ymax] drawn. */
  view: [number, number, number, number];
  /** Multiplies the default lr of the rules whose step is lr × gradient (SGD and kin). */
  gradScale: number;
  about: string;
}

const sq = (t: Tensor): Tensor => t.mul(t);

export const SURFACES: Surface[] = [
  {
    name: "Rosenbrock",
    f: (x, y) => sq(x.mul(-1).add(1)).add(sq(y.sub(sq(x))).mul(100)),
    start: [-1.2, 1],
    minimum: [1, 1],
    view: [-2, 2, -1, 3],
    gradScale: 1,
    about: "(1 − x)² + 100(y − x²)²: a curved, flat-bottomed valley; minimum 0 at (1, 1).",
  },
  {
    name: "Beale",
    f: (x, y) => sq(x.mul(y).sub(x).add(1.5)).add(sq(x.mul(sq(y)).sub(x).add(2.25))).add(sq(x.mul(sq(y).mul(y)).sub(x).add(2.625))),
    start: [1, 1.5],
    minimum: [3, 0.5],
    view: [-4.5, 4.5, -4.5, 4.5],
    gradScale: 1,
    about: "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²: steep walls, flat plateaus; minimum 0 at (3, 0.5).",
  },
  {
    name: "saddle",
    f: (x, y) => sq(x).sub(sq(y)).add(sq(sq(y)).mul(0.25)),
    start: [1.5, 1e-3],
    minimum: [0, Math.SQRT2],
    view: [-2, 2, -2, 2],
    gradScale: 50,
    about: "x² − y² + y⁴/4: a saddle at (0, 0) between two minima −1 at (0, ±√2); the start is almost exactly on the ridge.",
  },
  {
    name: "ill-conditioned quadratic",
    f: (x, y) => {
      // rotated 30°, so the narrow axis is not a coordinate axis (per-coordinate rules gain nothing for free)
      const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
      const u = x.mul(c).add(y.mul(s));
      const v = y.mul(c).sub(x.mul(s));
      return sq(u).add(sq(v).mul(25)).mul(0.5);
    },
    start: [-4, 3],
    minimum: [0, 0],
    view: [-5, 5, -5, 5],
    gradScale: 20,
    about: "½(u² + 25v²) in axes rotated 30°: condition number 25.",
  },
  {
    name: "noisy quadratic",
    f: (x, y, noisy) => {
      const bowl = sq(x).add(sq(y)).mul(0.5);
      // a fresh random tilt at every evaluation: the gradient is the bowl's plus noise of std 2
      return noisy ? bowl.add(x.mul(randn(x.shape).mul(2))).add(y.mul(randn(y.shape).mul(2))) : bowl;
    },
    start: [-4, 3],
    minimum: [0, 0],
    view: [-5, 5, -5, 5],
    gradScale: 100,
    about: "½(x² + y²) with Gaussian noise (std 2) added to each gradient, like a minibatch's.",
  },
];
