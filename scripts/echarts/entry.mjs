// The ECharts that Pacesetter ships: only the chart types and components its pages draw
// (bar: weight impact, pipeline; line: trends; gauge: turnover against objective;
// scatter: effort against result), on the canvas renderer. Exposed as `window.echarts`,
// which charming's WasmRenderer calls.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, GaugeChart, ScatterChart } from 'echarts/charts';
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  MarkLineComponent,
  AriaComponent,
  DatasetComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  LineChart,
  GaugeChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  MarkLineComponent,
  AriaComponent,
  DatasetComponent,
  CanvasRenderer,
]);

globalThis.echarts = echarts;
