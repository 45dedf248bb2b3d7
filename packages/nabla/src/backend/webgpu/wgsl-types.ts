/**
 * The element types GPU buffers hold and how kernels move values between them. float64 stays on a
 * CPU backend (WGSL has no f64); bool is stored as u32 holding 0 or 1, since WGSL cannot put bool
 * in a storage buffer. Every element takes 4 bytes, so a kernel that only moves elements (gather,
 * assign between equal types) reads and writes them as u32 bits, whatever they mean.
 *
 * A pointwise kernel computes in f32 or i32 (`ComputeType`): the JS backend computes in float64
 * and rounds once at the store, which for float32 results is float32 arithmetic within the
 * tolerances the tests hold it to, and for int32 results is exact integer arithmetic wrapped to
 * 32 bits (ToInt32), which i32 arithmetic is (WGSL's i32 + − × wrap at run time).
 */
import type { TypedArray } from "../../tensor/dtype.js";

export type GpuDType = "float32" | "int32" | "bool";

/** What a pointwise kernel computes in: conditions and bools as i32 0/1 in an integer kernel. */
export type ComputeType = "f32" | "i32";

/** The WGSL element type a buffer of `dtype` is declared with. */
export function storageType(dtype: GpuDType): "f32" | "i32" | "u32" {
  return dtype === "float32" ? "f32" : dtype === "int32" ? "i32" : "u32";
}

/** The dtype of a typed array the GPU can hold, or an error naming the caller. */
export function gpuDTypeOf(data: TypedArray, op: string): GpuDType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint8Array) return "bool";
  throw new TypeError(`webgpu ${op}: float64 has no WGSL type (it stays on a CPU backend); expected float32, int32 or bool data`);
}

/**
 * A value of storage `dtype` read as `compute`. float → int is JS's ToInt32 (truncate, wrap,
 * NaN and ±inf to 0), as storing into an Int32Array does; `helpers` collects what it calls.
 */
export function loadAs(value: string, dtype: GpuDType, compute: ComputeType, helpers: Set<string>): string {
  if (compute === "f32") return dtype === "float32" ? value : `f32(${value})`;
  if (dtype === "int32") return value;
  if (dtype === "bool") return `i32(${value})`;
  helpers.add("nb_to_i32");
  return `nb_to_i32(${value})`;
}

/**
 * A computed value written to a buffer of `dtype`: a condition as 1 or 0, a number into bool as
 * ≠ 0 (NaN is true), as the JS backend's copy; a float into int32 as ToInt32.
 */
export function storeAs(value: string, isCondition: boolean, compute: ComputeType, dtype: GpuDType, helpers: Set<string>): string {
  const type = storageType(dtype);
  if (isCondition) return type === "f32" ? `select(0.0, 1.0, ${value})` : `select(0${type === "u32" ? "u" : "i"}, 1${type === "u32" ? "u" : "i"}, ${value})`;
  if (dtype === "bool") {
    if (compute === "f32") helpers.add("nb_ne");
    return compute === "f32" ? `select(0u, 1u, nb_ne(${value}, 0.0))` : `select(0u, 1u, ${value} != 0i)`;
  }
  if (type === compute) return value;
  if (dtype === "float32") return `f32(${value})`;
  helpers.add("nb_to_i32");
  return `nb_to_i32(${value})`;
}

/** The elements of a buffer as they are uploaded: bool widened to u32. */
export function uploadable(data: Float32Array | Int32Array | Uint8Array): Float32Array | Int32Array | Uint32Array {
  return data instanceof Uint8Array ? Uint32Array.from(data) : data;
}

/** A buffer's bytes as the typed array of its dtype (bool narrowed back to bytes). */
export function fromBytes(bytes: ArrayBuffer, dtype: GpuDType): Float32Array | Int32Array | Uint8Array {
  if (dtype === "float32") return new Float32Array(bytes);
  if (dtype === "int32") return new Int32Array(bytes);
  return Uint8Array.from(new Uint32Array(bytes));
}
