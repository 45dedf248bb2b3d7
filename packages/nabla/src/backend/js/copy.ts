/** Data movement of the JS backend: copies between strided views, with dtype conversion. */
import type { StridedView } from "../backend.js";
import type { TypedArray } from "../../tensor/dtype.js";
import { forEachRow } from "./iterate.js";

export function copy(x: StridedView, out: TypedArray): void {
  const src = x.data;
  const toBool = out instanceof Uint8Array && !(src instanceof Uint8Array);
  forEachRow(x.shape, [x.strides], [x.offset], (start, [off], [step], length) => {
    let o = off!;
    if (toBool) {
      for (let i = 0; i < length; i++, o += step!) out[start + i] = src[o] !== 0 ? 1 : 0;
    } else if (step === 1 && out.constructor === src.constructor) {
      out.set(src.subarray(o, o + length) as never, start);
    } else {
      for (let i = 0; i < length; i++, o += step!) out[start + i] = src[o]!;
    }
  });
}

export function assign(dst: StridedView, src: StridedView): void {
  const dd = dst.data;
  const ds = src.data;
  const toBool = dd instanceof Uint8Array && !(ds instanceof Uint8Array);
  forEachRow(dst.shape, [dst.strides, src.strides], [dst.offset, src.offset], (_, [od, os], [sd, ss], length) => {
    let id = od!;
    let is = os!;
    for (let i = 0; i < length; i++, id += sd!, is += ss!) dd[id] = toBool ? (ds[is] !== 0 ? 1 : 0) : ds[is]!;
  });
}
