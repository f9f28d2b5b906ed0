// (g) With the jupyterlab-plotly renderer compiled into the app (app/build-plotly), the plots of a
// shared, untrusted executed notebook are live plotly charts (hover shows values), not only images.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { executedNotebook, missingPrerequisite, openLab, scenario, trustStatus, waitForKernelIdle } from '../lib/lab.mjs';

const PLOTLY = 'application/vnd.plotly.v1+json';
const { name, path: executed, error: runError } = missingPrerequisite('build-plotly') ? { name: 'none', path: '', error: null } : executedNotebook();

scenario(`g plotly live ${name.replace(/\.ipynb$/, '')}`, { build: 'build-plotly', files: { [name]: executed } }, async lab => {
  const { page, log } = lab;
  if (runError) throw new Error(runError);
  const nb = JSON.parse(readFileSync(executed, 'utf8'));
  const plots = nb.cells.flatMap(c => c.outputs ?? []).filter(o => o.data?.[PLOTLY]).length;
  assert.ok(plots > 0, 'the executed notebook holds plotly outputs');

  await openLab(lab, name);
  await page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output').first().waitFor();
  const trust = await trustStatus(page);
  assert.ok(trust.code > 0 && trust.trusted === 0, `opened untrusted: ${JSON.stringify(trust)}`);
  // jupyterlab-plotly first shows the saved PNG snapshot; pointing at it turns it into the live chart.
  const renderers = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly');
  const deadline = Date.now() + 60_000;
  while ((await renderers.count()) < plots && Date.now() < deadline) {
    await page.evaluate(async () => {
      for (const c of document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')) {
        c.scrollIntoView({ block: 'start' });
        await new Promise(r => setTimeout(r, 100));
      }
    });
  }
  assert.equal(await renderers.count(), plots, 'the plotly renderer renders every plot output');
  for (let i = 0; i < plots; i++) {
    const snapshot = renderers.nth(i).locator('img.plot-img');
    await snapshot.scrollIntoViewIfNeeded();
    assert.ok(await snapshot.isVisible(), `plot ${i + 1} first shows its PNG snapshot`);
    await snapshot.dispatchEvent('mouseenter'); // what pointing at it fires
    await renderers.nth(i).locator('.plot-container svg.main-svg').first().waitFor({ timeout: 30_000 });
  }
  const live = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedPlotly.js-plotly-plot:has(svg.main-svg)');
  assert.equal(await live.count(), plots, 'one live plotly chart per plot output');
  log(`${plots} live plotly charts`);

  // Live: an SVG chart with plotly's mode bar, and hovering a mark shows its value.
  const last = live.last();
  await last.scrollIntoViewIfNeeded();
  assert.ok((await last.locator('svg.main-svg').count()) > 0, 'drawn as SVG by plotly.js');
  assert.ok((await last.locator('.modebar').count()) > 0, 'has the plotly mode bar');
  const mark = last.locator('.barlayer .point path, .scatterlayer .point path, .scatterlayer path').first();
  await mark.hover({ force: true });
  const hover = last.locator('.hoverlayer .hovertext');
  const hovered = await hover.first().waitFor({ timeout: 5_000 }).then(() => true, () => false);
  log(`hover label: ${hovered ? JSON.stringify(await hover.first().textContent()) : 'none'}`);
  assert.ok(hovered, 'hovering a bar shows its hover label');
  await waitForKernelIdle(page);
  await last.scrollIntoViewIfNeeded();
  await mark.hover({ force: true });
});
