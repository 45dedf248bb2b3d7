/** The digit subset vite.config.ts builds at bundle time. */
declare module "virtual:digits" {
  export const PER_CLASS: number;
  /** base64 of 784 grey bytes per image, PER_CLASS images of each digit 0–9 in order. */
  export const PIXELS: string;
}
