// Bundles the test app (like upstream examples/app/rspack.config.js).
const path = require('path');
const rspack = require('@rspack/core');
const Build = require('@jupyter/builder').Build;
const miniSVGDataURI = require('mini-svg-data-uri');
const data = require('../package.json');

// PARLAB_E2E_PLOTLY=1 compiles the jupyterlab-plotly renderer in, into build-plotly/ (scenario g).
const plotly = process.env.PARLAB_E2E_PLOTLY === '1';
const build = path.join(__dirname, plotly ? 'build-plotly' : 'build');
// Copies the extensions' schemas and themes to build/ and writes build/style.js.
const extensionAssetConfig = Build.ensureAssets({
  packageNames: data.jupyterlab.extensions,
  output: build
});

module.exports = [
  {
    entry: [path.join(__dirname, 'index.js')],
    output: { path: build, filename: 'bundle.js' },
    bail: true,
    mode: 'production',
    devtool: false,
    performance: { hints: false },
    // jupyterlab-plotly imports the full plotly.js source; the prebuilt minified bundle does.
    resolve: plotly ? { alias: { 'plotly.js/dist/plotly$': require.resolve('plotly.js-dist-min') } } : {},
    module: {
      rules: [
        { test: /\.css$/, use: ['style-loader', 'css-loader'] },
        { test: /\.raw\.css$/, type: 'asset/source' },
        { test: /\.html$/, type: 'asset/resource' },
        { test: /\.md$/, type: 'asset/source' },
        { test: /\.(jpg|png|gif)$/, type: 'asset/resource' },
        { test: /\.js.map$/, type: 'asset/resource' },
        { test: /\.woff2?(\?v=\d+\.\d+\.\d+)?$/, type: 'asset' },
        { test: /\.ttf(\?v=\d+\.\d+\.\d+)?$/, type: 'asset' },
        { test: /\.eot(\?v=\d+\.\d+\.\d+)?$/, type: 'asset/resource' },
        {
          test: /\.svg(\?v=\d+\.\d+\.\d+)?$/,
          issuer: /\.css$/,
          type: 'asset/inline',
          generator: {
            dataUrl: {
              content: content => miniSVGDataURI(content.content),
              mimetype: 'image/svg+xml'
            }
          }
        },
        { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.js$/, type: 'asset/source' }
      ]
    },
    plugins: [
      new rspack.DefinePlugin({ process: { cwd: () => '/', env: {} }, PARLAB_E2E_PLOTLY: JSON.stringify(plotly) })
    ]
  }
].concat(extensionAssetConfig);
