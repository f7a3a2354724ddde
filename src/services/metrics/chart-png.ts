// The chart of chains as a PNG, drawn in-process: Apache ECharts lays it out as SVG (its
// server-side renderer, no DOM, no canvas), resvg (WebAssembly) rasterizes it with the Noto
// Sans font shipped in an npm package. No browser and no native binary at run time; both are
// loaded on the first chart only, so the bot's start does not pay for them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ChainChart } from '../../domain/reports.ts';
import { improvementText } from '../reports/report-text.ts';

export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 675;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FONT = 'Noto Sans';
const COLORS = ['#2f6fdf', '#e8743b', '#19a979', '#945ecf', '#ed4a7b', '#13a4b4', '#6c8893', '#bf399e'];

const require = createRequire(import.meta.url);
let rasterizer: Promise<{ Resvg: typeof import('@resvg/resvg-wasm').Resvg; font: Uint8Array }> | null = null;

function loadRasterizer() {
  rasterizer ??= (async () => {
    const resvg = await import('@resvg/resvg-wasm');
    await resvg.initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    const font = readFileSync(
      require.resolve('@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf'),
    );
    return { Resvg: resvg.Resvg, font };
  })();
  return rasterizer;
}

/** The chart as SVG (ECharts' server-side renderer). */
export async function chartSvg(chart: ChainChart): Promise<string> {
  const echarts = await import('echarts');
  const all = chart.chains.flatMap((c) => c.medianMs).filter((x): x is number => x !== null);
  const inDays = all.length > 0 && Math.max(...all) >= 2 * DAY;
  const unit = inDays ? DAY : HOUR;
  const last = chart.weeks.length - 1;
  const bottleneck = new Map(chart.bottlenecks.map((b) => [b.chain, b.improvement]));
  const series = chart.chains.flatMap((c, i) => {
    const color = COLORS[i % COLORS.length]!;
    const mark = bottleneck.get(c.chain);
    return [
      {
        type: 'bar' as const,
        name: c.title,
        data: c.runs,
        itemStyle: { color },
        ...(mark
          ? {
              markPoint: {
                symbol: 'pin',
                symbolSize: 44,
                itemStyle: { color: '#d62728' },
                label: { show: true, formatter: '!', fontFamily: FONT, fontWeight: 'bold', color: '#fff' },
                data: [{ coord: [last, c.runs[last] ?? 0], name: mark.stepTitle }],
              },
            }
          : {}),
      },
      {
        type: 'line' as const,
        name: `${c.title} (median)`,
        yAxisIndex: 1,
        data: c.medianMs.map((ms) => (ms === null ? null : Math.round((ms / unit) * 10) / 10)),
        connectNulls: true,
        symbolSize: 7,
        itemStyle: { color },
        lineStyle: { color, width: 2, type: 'dashed' as const },
      },
    ];
  });
  const notes =
    chart.bottlenecks.length > 0
      ? `This week's bottlenecks (!): ${chart.bottlenecks.map((b) => `${b.title} › ${improvementText(b.improvement)}`).join('  ·  ')}`
      : 'No bottleneck this week.';
  const instance = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
  });
  try {
    instance.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: FONT },
      title: {
        text: chart.title,
        subtext: notes.length > 170 ? `${notes.slice(0, 169)}…` : notes,
        left: 'center',
        textStyle: { fontFamily: FONT, fontSize: 20 },
        subtextStyle: { fontFamily: FONT, fontSize: 13, color: '#b42318' },
      },
      legend: { bottom: 8, textStyle: { fontFamily: FONT }, type: 'plain' },
      grid: { left: 70, right: 80, top: 90, bottom: 90 },
      xAxis: { type: 'category', data: chart.weeks.map((w) => `week of ${w.label}`) },
      yAxis: [
        { type: 'value', name: 'runs started', minInterval: 1 },
        { type: 'value', name: `median duration (${inDays ? 'days' : 'hours'})`, splitLine: { show: false } },
      ],
      series,
      ...(chart.chains.length === 0
        ? {
            graphic: {
              type: 'text',
              left: 'center',
              top: 'middle',
              style: {
                text: `No runs in the last ${chart.weeks.length} weeks`,
                fontSize: 18,
                fontFamily: FONT,
              },
            },
          }
        : {}),
    });
    return instance.renderToSVGString();
  } finally {
    instance.dispose();
  }
}

/** The chart as a PNG of CHART_WIDTH × CHART_HEIGHT. */
export async function chartPng(chart: ChainChart): Promise<Uint8Array> {
  const svg = await chartSvg(chart);
  const { Resvg, font } = await loadRasterizer();
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    fitTo: { mode: 'original' },
    font: { fontBuffers: [font], defaultFontFamily: FONT, sansSerifFamily: FONT },
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
