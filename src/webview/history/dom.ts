/**
 * The only way this page makes DOM: elements with attributes and text
 * children. Text always goes through `textContent` / text nodes and
 * attributes through `setAttribute`, so a string from storage (a checkpoint
 * name, a key) can never become markup. There is no innerHTML anywhere.
 */

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  /** Attributes, set with setAttribute (values are never parsed as HTML). */
  attrs?: Record<string, string | number | boolean | null | undefined>;
  /** Text content (instead of children). */
  text?: string;
  /** Properties (for custom elements: `value`, `disabled`...). */
  props?: Record<string, unknown>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }> & Record<string, (event: Event) => void>;
  dataset?: Record<string, string>;
}

function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

function apply(node: Element, p: Props): void {
  if (p.class) node.setAttribute('class', p.class);
  for (const [k, v] of Object.entries(p.attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const [k, v] of Object.entries(p.dataset ?? {})) (node as HTMLElement).dataset[k] = v;
  for (const [k, v] of Object.entries(p.props ?? {})) (node as unknown as Record<string, unknown>)[k] = v;
  for (const [k, fn] of Object.entries(p.on ?? {})) if (fn) node.addEventListener(k, fn as EventListener);
  if (p.text !== undefined) node.textContent = p.text;
}

/** An HTML (or custom) element. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K];
export function el(tag: string, props?: Props, ...children: Child[]): HTMLElement;
export function el(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  apply(node, props);
  append(node, children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element; `title` becomes a <title> child (the native tooltip), as text. */
export function svg(tag: string, props: Props & { title?: string } = {}, ...children: Child[]): SVGElement {
  const node = document.createElementNS(SVG_NS, tag);
  apply(node, props);
  if (props.title !== undefined) {
    const t = document.createElementNS(SVG_NS, 'title');
    t.textContent = props.title;
    node.appendChild(t);
  }
  append(node, children);
  return node;
}

/** Replace every child of `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}
