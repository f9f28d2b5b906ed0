// The parlab e2e test app: JupyterLab 4.6.3 from its npm packages, like upstream examples/app.
import { JupyterLab } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
// The public path must be set before the CSS assets load.
// eslint-disable-next-line
__webpack_public_path__ = PageConfig.getOption('fullStaticUrl') + '/';

const styles = import('./build/style.js');

// Keep this list in sync with "jupyterlab.extensions" in ../package.json (Build.ensureAssets copies
// their schemas and themes from that list).
const withoutLsp = plugins => plugins.default.filter(({ id }) => !id.includes(':language-server'));
const extensions = [
  import('@jupyterlab/application-extension'),
  import('@jupyterlab/apputils-extension'),
  import('@jupyterlab/codemirror-extension'),
  import('@jupyterlab/completer-extension'),
  import('@jupyterlab/console-extension'),
  import('@jupyterlab/docmanager-extension'),
  import('@jupyterlab/documentsearch-extension'),
  import('@jupyterlab/filebrowser-extension'),
  import('@jupyterlab/fileeditor-extension').then(withoutLsp),
  import('@jupyterlab/help-extension'),
  import('@jupyterlab/imageviewer-extension'),
  import('@jupyterlab/inspector-extension'),
  import('@jupyterlab/launcher-extension'),
  import('@jupyterlab/mainmenu-extension'),
  import('@jupyterlab/markdownviewer-extension'),
  import('@jupyterlab/metadataform-extension'),
  import('@jupyterlab/markedparser-extension'),
  import('@jupyterlab/mathjax-extension'),
  import('@jupyterlab/notebook-extension').then(withoutLsp),
  import('@jupyterlab/rendermime-extension'),
  import('@jupyterlab/running-extension'),
  import('@jupyterlab/settingeditor-extension'),
  import('@jupyterlab/shortcuts-extension'),
  import('@jupyterlab/statusbar-extension'),
  import('@jupyterlab/theme-light-extension'),
  import('@jupyterlab/toc-extension'),
  import('@jupyterlab/tooltip-extension'),
  import('@jupyterlab/translation-extension'),
  import('@jupyterlab/ui-components-extension')
];

const mimeExtensions = [
  import('@jupyterlab/json-extension'),
  import('@jupyterlab/javascript-extension'),
  // Only in the build-plotly/ variant (PARLAB_E2E_PLOTLY=1); dropped from the default bundle.
  // eslint-disable-next-line no-undef
  ...(PARLAB_E2E_PLOTLY ? [import('jupyterlab-plotly/lib/plotly-renderer')] : [])
];

function getPlugins(extension) {
  const exports = Object.prototype.hasOwnProperty.call(extension, '__esModule') ? extension.default : extension;
  return Array.isArray(exports) ? exports : [exports];
}

window.addEventListener('load', async () => {
  await styles;
  const lab = new JupyterLab({ mimeExtensions: await Promise.all(mimeExtensions) });
  lab.registerPlugins((await Promise.all(extensions)).map(getPlugins).flat());
  // The tests read the app's state (e.g. the kernel status) through this handle.
  window.jupyterapp = lab;
  await lab.start();
  await lab.restored;
  document.body.dataset.parlabE2eReady = 'true';
  console.log('parlab e2e app restored');
});
