import { createRequire } from 'node:module';
import type { Chart as ChartClass } from 'chart.js';

type ChartModule = typeof import('chart.js');
type CanvasModule = typeof import('@napi-rs/canvas');

const require = createRequire(import.meta.url);
let libraries: { Chart: ChartModule['Chart']; createCanvas: CanvasModule['createCanvas'] } | undefined;

/**
 * Chart.js, @napi-rs/canvas and the bundled font, loaded at the first chart: a native canvas
 * and a font in memory are a cost an app pays only when someone asks for a chart. Synchronous
 * (CommonJS builds) so the render functions stay synchronous.
 */
function chartLibraries(): NonNullable<typeof libraries> {
  if (libraries) return libraries;
  const chart = require('chart.js') as ChartModule;
  const canvas = require('@napi-rs/canvas') as CanvasModule;
  chart.Chart.register(
    chart.BarController,
    chart.BarElement,
    chart.CategoryScale,
    chart.LinearScale,
    chart.Legend,
    chart.Title,
    chart.DoughnutController,
    chart.ArcElement,
  );
  // Charts must carry text on any machine, including slim containers without system fonts:
  // the plugin ships DejaVu Sans (Latin and Cyrillic) from npm and registers it once.
  canvas.GlobalFonts.registerFromPath(
    require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
    'Botloom Chart Sans',
  );
  libraries = { Chart: chart.Chart, createCanvas: canvas.createCanvas };
  return libraries;
}

const PALETTE = ['#2f6fdf', '#f39c12', '#27ae60', '#c0392b', '#8e44ad', '#16a085', '#d35400', '#7f8c8d'];
const FONT = 'Botloom Chart Sans, DejaVu Sans, sans-serif';

export interface ProfileChartInput {
  title: string;
  /** Feature labels, already translated. */
  labels: string[];
  series: Array<{ name: string; values: number[] }>;
  /** Axis caption, e.g. "index, population = 100". */
  axisLabel: string;
}

export interface DistributionChartInput {
  title: string;
  labels: string[];
  values: number[];
}

function render(width: number, height: number, config: ConstructorParameters<typeof ChartClass>[1]): Buffer {
  const { Chart, createCanvas } = chartLibraries();
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  Chart.defaults.font.family = FONT;
  // Chart.js only needs the 2D context API, which @napi-rs/canvas implements.
  const chart = new Chart(context as unknown as CanvasRenderingContext2D, {
    ...config,
    options: { ...config.options, responsive: false, animation: false, devicePixelRatio: 1 },
  });
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}

/** Grouped bars: the client, its segment and the population on the same features. */
export function renderProfileChart(input: ProfileChartInput, width = 900, height = 500): Buffer {
  return render(width, height, {
    type: 'bar',
    data: {
      labels: input.labels,
      datasets: input.series.map((series, i) => ({
        label: series.name,
        data: series.values,
        backgroundColor: PALETTE[i % PALETTE.length],
      })),
    },
    options: {
      plugins: {
        title: { display: true, text: input.title, font: { size: 18 } },
        legend: { position: 'bottom' },
      },
      scales: { y: { beginAtZero: true, title: { display: true, text: input.axisLabel } } },
    },
  });
}

/** Doughnut of segment sizes. */
export function renderDistributionChart(input: DistributionChartInput, width = 800, height = 500): Buffer {
  return render(width, height, {
    type: 'doughnut',
    data: {
      labels: input.labels.map((label, i) => `${label} (${input.values[i]})`),
      datasets: [
        { data: input.values, backgroundColor: input.labels.map((_, i) => PALETTE[i % PALETTE.length]) },
      ],
    },
    options: {
      plugins: {
        title: { display: true, text: input.title, font: { size: 18 } },
        legend: { position: 'right' },
      },
    },
  });
}
