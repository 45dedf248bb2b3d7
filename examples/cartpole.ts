/**
 * Gym's CartPole-v1 in TypeScript, a line-for-line port of gymnasium's
 * `envs/classic_control/cartpole.py` (Barto, Sutton and Anderson's cart-pole, from Sutton's
 * pole.c): a pole hinged on a cart that moves along a frictionless track; action 0 pushes the cart
 * left and 1 right with a force of 10 N; the state (x, ẋ, θ, θ̇) follows the equations of motion
 * by Euler steps of 20 ms; an episode ends when |θ| > 12° or |x| > 2.4 (terminated) or after 500
 * steps (truncated, as `gym.make("CartPole-v1")`'s TimeLimit); every step until then is worth 1.
 * `reset({ seed })` seeds NumPy's generator as gym does, so the start states are gym's.
 */
import { NumpyGenerator } from "./common/numpy-random.js";

export type CartPoleState = [number, number, number, number];
export type StepResult = [observation: Float32Array, reward: number, terminated: boolean, truncated: boolean, info: Record<string, never>];

export class CartPoleEnv {
  readonly gravity = 9.8;
  readonly masscart = 1.0;
  readonly masspole = 0.1;
  readonly totalMass = this.masspole + this.masscart;
  readonly length = 0.5; // actually half the pole's length
  readonly polemassLength = this.masspole * this.length;
  readonly forceMag = 10.0;
  readonly tau = 0.02; // seconds between state updates
  kinematicsIntegrator: "euler" | "semi-implicit euler" = "euler";

  // Angle at which to fail the episode
  readonly thetaThresholdRadians = (12 * 2 * Math.PI) / 360;
  readonly xThreshold = 2.4;

  /** gym.make's TimeLimit and the registry's reward threshold for CartPole-v1. */
  readonly spec = { id: "CartPole-v1", maxEpisodeSteps: 500, rewardThreshold: 475.0 };

  state: CartPoleState | null = null;
  npRandom: NumpyGenerator | null = null;
  private stepsBeyondTerminated: number | null = null;
  private elapsedSteps = 0;

  /** Set (with `seed`) or continue NumPy's generator, and start from a state uniform in (−0.05, 0.05)⁴. */
  reset({ seed }: { seed?: number } = {}): [Float32Array, Record<string, never>] {
    if (seed !== undefined || this.npRandom === null) this.npRandom = new NumpyGenerator(seed ?? Math.floor(Math.random() * 2 ** 32));
    this.state = this.npRandom.uniform(-0.05, 0.05, 4) as CartPoleState;
    this.stepsBeyondTerminated = null;
    this.elapsedSteps = 0;
    return [Float32Array.from(this.state), {}];
  }

  step(action: number): StepResult {
    if (action !== 0 && action !== 1) throw new RangeError(`${action} (${typeof action}) invalid`);
    if (this.state === null) throw new Error("Call reset before using step method.");
    let [x, xDot, theta, thetaDot] = this.state;
    const force = action === 1 ? this.forceMag : -this.forceMag;
    const costheta = Math.cos(theta);
    const sintheta = Math.sin(theta);

    // For the interested reader: https://coneural.org/florian/papers/05_cart_pole.pdf
    const temp = (force + this.polemassLength * thetaDot ** 2 * sintheta) / this.totalMass;
    const thetaacc = (this.gravity * sintheta - costheta * temp) / (this.length * (4.0 / 3.0 - (this.masspole * costheta ** 2) / this.totalMass));
    const xacc = temp - (this.polemassLength * thetaacc * costheta) / this.totalMass;

    if (this.kinematicsIntegrator === "euler") {
      x = x + this.tau * xDot;
      xDot = xDot + this.tau * xacc;
      theta = theta + this.tau * thetaDot;
      thetaDot = thetaDot + this.tau * thetaacc;
    } else {
      // semi-implicit euler
      xDot = xDot + this.tau * xacc;
      x = x + this.tau * xDot;
      thetaDot = thetaDot + this.tau * thetaacc;
      theta = theta + this.tau * thetaDot;
    }
    this.state = [x, xDot, theta, thetaDot];

    const terminated = x < -this.xThreshold || x > this.xThreshold || theta < -this.thetaThresholdRadians || theta > this.thetaThresholdRadians;

    let reward: number;
    if (!terminated) {
      reward = 1.0;
    } else if (this.stepsBeyondTerminated === null) {
      // Pole just fell!
      this.stepsBeyondTerminated = 0;
      reward = 1.0;
    } else {
      if (this.stepsBeyondTerminated === 0) {
        console.warn("You are calling 'step()' even though this environment has already returned terminated = True. You should always call 'reset()' once you receive 'terminated = True' -- any further steps are undefined behavior.");
      }
      this.stepsBeyondTerminated += 1;
      reward = 0.0;
    }

    this.elapsedSteps += 1;
    const truncated = this.elapsedSteps >= this.spec.maxEpisodeSteps;
    return [Float32Array.from(this.state), reward, terminated, truncated, {}];
  }
}
