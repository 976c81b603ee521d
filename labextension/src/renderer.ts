/**
 * Teaches ipywidgets' renderer of a widget-view output to show the saved
 * answer. While the widget model exists, its view is ipywidgets' own,
 * untouched. When ipywidgets has rendered and added no view (its widget
 * manager has no such model: the kernel that made it is gone), or the
 * notebook has no kernel, the answer the output saved as text/markdown shows
 * instead, through JupyterLab's markdown renderer with the output untrusted.
 *
 * The renderer itself stays the output's child: ipywidgets finds the
 * renderers made before its widget manager existed by that, and gives them
 * the manager. So its renderModel is wrapped rather than the renderer.
 */
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { MessageLoop } from '@lumino/messaging';
import type { Panel, Widget } from '@lumino/widgets';

/** Output metadata key the Python side sets on outputs that carry a saved answer. */
export const METADATA_KEY = 'sse_widget';
const MARKDOWN = 'text/markdown';

/** The saved markdown of an sse-widget output, or null for any other output. */
export function savedAnswer(model: IRenderMime.IMimeModel): string | null {
  const marker = model.metadata?.[METADATA_KEY] as { saved?: unknown } | undefined;
  const markdown = model.data[MARKDOWN];
  if (!marker || marker.saved !== MARKDOWN || typeof markdown !== 'string' || markdown === '') {
    return null;
  }
  return markdown;
}

export function showSavedAnswerWhenModelIsGone(
  renderer: IRenderMime.IRenderer & Panel,
  markdownRegistry: IRenderMimeRegistry,
  kernelless: Promise<boolean>
): IRenderMime.IRenderer {
  let saved: Widget | null = null;
  let live = false;

  const removeSaved = () => {
    saved?.node.remove();
    saved?.dispose();
    saved = null;
  };
  const showSaved = async (markdown: string) => {
    if (live || saved || renderer.isDisposed || renderer.isHidden) {
      return;
    }
    const view = markdownRegistry.createRenderer(MARKDOWN);
    saved = view;
    view.addClass('sse-widget-saved-answer');
    await view.renderModel(markdownRegistry.createModel({ data: { [MARKDOWN]: markdown }, trusted: false }));
    if (saved === view && !live) {
      // ipywidgets' "Loading widget..." / "model not found" line gives way
      renderer.node.textContent = '';
      renderer.node.appendChild(view.node);
    }
  };

  // ipywidgets adds the view as a child of its renderer once it has a model.
  MessageLoop.installMessageHook(renderer, (_handler, msg) => {
    if (msg.type === 'child-added') {
      live = true;
      removeSaved();
    }
    return true;
  });

  const renderModel = renderer.renderModel.bind(renderer);
  renderer.renderModel = async (model: IRenderMime.IMimeModel) => {
    const markdown = savedAnswer(model);
    if (markdown === null) {
      return renderModel(model);
    }
    removeSaved(); // ipywidgets clears the node before it renders again
    void kernelless.then(none => (none ? showSaved(markdown) : undefined));
    await renderModel(model);
    if (renderer.widgets.length === 0) {
      await showSaved(markdown);
    }
  };
  return renderer;
}
