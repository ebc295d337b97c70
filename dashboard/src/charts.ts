import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  GeoComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import districts from '#data/geo/beijing-districts.geo.json' with { type: 'json' };
import { h } from './dom.ts';

/**
 * ECharts with only what the dashboard draws. The SVG renderer keeps labels as text in the page (crisp
 * in print and screenshots, readable by assistive tools and by the browser tests).
 */
echarts.use([
  BarChart,
  LineChart,
  HeatmapChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  VisualMapComponent,
  GeoComponent,
  SVGRenderer,
]);

export const BEIJING_MAP = 'beijing-districts';
// The GeoJSON's district names (`name`) are what ECharts matches regions by.
echarts.registerMap(BEIJING_MAP, districts as never);

export type ChartOption = echarts.EChartsCoreOption;

const live = new Set<echarts.ECharts>();

/** A chart in a new element; it is disposed when the view is redrawn. */
export const chart = (option: ChartOption, attrs: Record<string, string> = {}): HTMLElement => {
  const element = h('div', { class: 'chart', ...attrs });
  // ECharts measures its container: draw once the element is in the document (a view may add it
  // after other answers arrive); give up after ten seconds, when the view was left meanwhile.
  const since = performance.now();
  const draw = () => {
    if (!element.isConnected) {
      if (performance.now() - since < 10_000) requestAnimationFrame(draw);
      return;
    }
    const instance = echarts.init(element, undefined, { renderer: 'svg' });
    instance.setOption({ animation: false, ...option });
    live.add(instance);
    element.dataset.drawn = 'true';
  };
  requestAnimationFrame(draw);
  return element;
};

export const disposeCharts = (): void => {
  for (const instance of live) instance.dispose();
  live.clear();
};

addEventListener('resize', () => {
  for (const instance of live) instance.resize();
});

export const palette = [
  '#c62f2f',
  '#2f6fb3',
  '#2f7d4f',
  '#b36b00',
  '#7a4cb3',
  '#3a8f9c',
  '#8c5a3c',
  '#5b6775',
];
