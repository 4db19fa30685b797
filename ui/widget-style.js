// What the package's dashboard widgets share besides their tables (IbTable.vue): the props Dashboard 2.0
// gives a widget's component, and putting a widget's CSS into the page once.

/** The props Dashboard 2.0 passes every widget: its node's id, its settings and its state. */
export const widgetProps = {
  id: { type: String, required: true },
  props: { type: Object, default: () => ({}) },
  state: { type: Object, default: () => ({}) }
}

/** Adds `css` to the page under `id`, once however many widgets of the kind it has. */
export function injectStyle (id, css) {
  if (typeof document === 'undefined' || document.getElementById(id)) return
  const style = document.createElement('style')
  style.id = id
  style.textContent = css
  document.head.appendChild(style)
}
