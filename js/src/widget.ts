/**
 * anywidget entry point.
 *
 * initialize() runs once per model: it owns the message routing in a
 * StreamStore. render() runs once per view and only builds and updates DOM.
 *
 * anywidget hands initialize() and render() different proxies of the same
 * model, so the store is found again through a key kept in a front-end-only
 * model attribute (never saved to the kernel: nothing calls save_changes).
 */
import type { AnyModel, AnyWidget } from "@anywidget/types";
import { defaultScheduler } from "./scheduler";
import { StreamStore, type Model, type Traits } from "./store";
import { mountView } from "./view";

export const STORE_KEY = "_sse_store_key";

type FrontendTraits = Traits & { [STORE_KEY]?: string };
type FrontendModel = AnyModel<FrontendTraits>;

const stores = new Map<string, StreamStore>();
let nextKey = 1;

function storeFor(model: FrontendModel): StreamStore | undefined {
  const key = model.get(STORE_KEY);
  const store = typeof key === "string" ? stores.get(key) : undefined;
  return store && !store.isDisposed ? store : undefined;
}

function initialize({ model }: { model: FrontendModel }): () => void {
  const key = `sse-${Date.now().toString(36)}-${nextKey++}`;
  const store = new StreamStore(model as unknown as Model);
  stores.set(key, store);
  model.set(STORE_KEY, key);
  store.start();
  return () => {
    store.dispose();
    stores.delete(key);
  };
}

function render({ model, el }: { model: FrontendModel; el: HTMLElement }): () => void {
  let store = storeFor(model);
  let ownStore: StreamStore | null = null;
  if (!store) {
    // A host that renders without initialize(): route messages for this view.
    ownStore = new StreamStore(model as unknown as Model).start();
    store = ownStore;
  }
  const view = mountView({
    model: model as unknown as Model,
    el,
    store,
    scheduler: defaultScheduler(),
  });
  return () => {
    view.destroy();
    ownStore?.dispose();
  };
}

export default { initialize, render } satisfies AnyWidget<FrontendTraits>;
