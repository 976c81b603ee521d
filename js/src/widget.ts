/**
 * anywidget entry point, as a factory: anywidget calls the default export once
 * per model, so the closure holds that model's state.
 *
 * initialize() runs once per model: it owns the message routing in a
 * StreamStore. render() runs once per view and only builds and updates DOM,
 * sharing the store of its model.
 */
import type { AnyModel, AnyWidget } from "@anywidget/types";
import { defaultScheduler } from "./scheduler";
import { StreamStore, type Model, type Traits } from "./store";
import { mountView } from "./view";

type FrontendModel = AnyModel<Traits>;

export default () => {
  let shared: StreamStore | null = null;

  function initialize({ model }: { model: FrontendModel }): () => void {
    const store = new StreamStore(model as unknown as Model).start();
    shared = store;
    return () => {
      store.dispose();
      if (shared === store) shared = null;
    };
  }

  function render({ model, el }: { model: FrontendModel; el: HTMLElement }): () => void {
    // A host that renders without initialize(): route messages for this view.
    const own = shared && !shared.isDisposed ? null : new StreamStore(model as unknown as Model).start();
    const view = mountView({
      model: model as unknown as Model,
      el,
      store: own ?? (shared as StreamStore),
      scheduler: defaultScheduler(),
    });
    return () => {
      view.destroy();
      own?.dispose();
    };
  }

  return { initialize, render } satisfies AnyWidget<Traits>;
};
