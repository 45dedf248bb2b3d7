/**
 * Form controls that refuse bad values: a number field whose text fails its check keeps the last
 * good value, shows why next to the field, and does not call onChange (so whatever is running
 * keeps going with the old value).
 */

export type Check = (value: number) => string | null;

export const positive: Check = (v) => (v > 0 ? null : "must be > 0");
export const atLeast = (lo: number): Check => (v) => (v >= lo ? null : `must be ≥ ${lo}`);
export const integer = (lo: number, hi: number): Check => (v) => (Number.isInteger(v) && v >= lo && v <= hi ? null : `must be a whole number in [${lo}, ${hi}]`);

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { dataset?: Record<string, string> } = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  const { dataset, ...rest } = props;
  Object.assign(e, rest);
  if (dataset) Object.assign(e.dataset, dataset);
  e.append(...children);
  return e;
}

/** A labelled number field; `name` becomes its data-field attribute (tests find it by that). */
export function numberField(name: string, label: string, value: number, check: Check, onChange: (v: number) => void): HTMLLabelElement {
  const input = el("input", { type: "text", value: String(value), size: 7, dataset: { field: name } });
  const message = el("span", { className: "refused", dataset: { refusal: name } });
  input.addEventListener("change", () => {
    const text = input.value.trim();
    const v = text === "" ? NaN : Number(text);
    const why = Number.isFinite(v) ? check(v) : `"${text}" is not a number`;
    message.textContent = why === null ? "" : `refused: ${why}`;
    input.classList.toggle("bad", why !== null);
    if (why === null) onChange(v);
  });
  return el("label", { className: "field" }, `${label} `, input, message);
}

/** A labelled select. */
export function selectField(name: string, label: string, options: string[], value: string, onChange: (v: string) => void): HTMLLabelElement {
  const select = el("select", { dataset: { field: name } }, ...options.map((o) => el("option", { value: o, textContent: o, selected: o === value })));
  select.addEventListener("change", () => onChange(select.value));
  return el("label", { className: "field" }, `${label} `, select);
}

/** A labelled range slider that shows its value. */
export function slider(name: string, label: string, min: number, max: number, step: number, value: number, onInput: (v: number) => void): HTMLLabelElement {
  const input = el("input", { type: "range", min: String(min), max: String(max), step: String(step), value: String(value), dataset: { field: name } });
  const shown = el("span", { className: "value", textContent: String(Number(value.toPrecision(3))) });
  input.addEventListener("input", () => {
    shown.textContent = String(Number(Number(input.value).toPrecision(3)));
    onInput(Number(input.value));
  });
  return el("label", { className: "field" }, `${label} `, input, shown);
}

export function button(label: string, action: string, onClick: () => void): HTMLButtonElement {
  const b = el("button", { textContent: label, dataset: { action } });
  b.addEventListener("click", onClick);
  return b;
}

/** A labelled text field parsed by `parse`, which returns the value or a reason to refuse it. */
export function textField<T>(name: string, label: string, value: string, parse: (text: string) => T | string, onChange: (v: T) => void): HTMLLabelElement {
  const input = el("input", { type: "text", value, size: 9, dataset: { field: name } });
  const message = el("span", { className: "refused", dataset: { refusal: name } });
  input.addEventListener("change", () => {
    const parsed = parse(input.value.trim());
    const why = typeof parsed === "string" ? parsed : null;
    message.textContent = why === null ? "" : `refused: ${why}`;
    input.classList.toggle("bad", why !== null);
    if (why === null) onChange(parsed as T);
  });
  return el("label", { className: "field" }, `${label} `, input, message);
}
