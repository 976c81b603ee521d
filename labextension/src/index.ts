/**
 * sse-widget's JupyterLab / Notebook 7 plugin: an output that shows an
 * sse-widget keeps showing its saved answer once the kernel is gone.
 *
 * ipywidgets installs its widget-view renderer factory into each notebook's
 * own rendermime registry, and replaces it whenever the notebook gets a
 * kernel; a registry keeps one factory per MIME type, so a factory of ours
 * would be replaced too. Instead, each notebook's registry hands whatever
 * widget-view renderer it creates to showSavedAnswerWhenModelIsGone.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Panel } from '@lumino/widgets';

import { showSavedAnswerWhenModelIsGone } from './renderer';
import { withoutFetches } from './sanitizer';

const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';

/** True once the notebook's session is ready without a kernel. */
async function kernelless(panel: NotebookPanel): Promise<boolean> {
  const session = panel.sessionContext;
  try {
    await session.ready;
  } catch {
    return true;
  }
  return !session.session?.kernel;
}

function wrapWidgetViews(panel: NotebookPanel): void {
  const registry: IRenderMimeRegistry = panel.content.rendermime;
  const markdown = registry.clone({ sanitizer: withoutFetches(registry.sanitizer) });
  const createRenderer = registry.createRenderer.bind(registry);
  const noKernel = kernelless(panel);
  registry.createRenderer = (mimeType: string) => {
    const renderer = createRenderer(mimeType);
    return mimeType === WIDGET_VIEW && renderer instanceof Panel
      ? showSavedAnswerWhenModelIsGone(renderer, markdown, noKernel)
      : renderer;
  };
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'sse-widget-saved-answer:plugin',
  description: 'Shows the saved answer of an sse-widget output when its widget model is gone.',
  autoStart: true,
  optional: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, notebooks: INotebookTracker | null) => {
    if (!notebooks) {
      return; // a host without notebooks (Voilà loads extensions too)
    }
    notebooks.forEach(wrapWidgetViews);
    notebooks.widgetAdded.connect((_, panel) => wrapWidgetViews(panel));
  },
};

export default plugin;
