import type { ChartConfiguration } from 'chart.js';
import { useMemo } from 'react';
import { type Localized, type PanelManifest, pick, pluginPath, type WidgetDef } from '../api';
import { Async, Card, ChartView, ErrorBoundary, formatValue, PALETTE, Stat, useApi } from '../components';
import { useI18n } from '../i18n';

/** The dashboard widgets plugins declare (`adminWidgets`), each behind its own error boundary. */
export function PluginWidgets() {
  const i18n = useI18n();
  const manifest = useApi<PanelManifest>('/admin/api/core/panel/ui');
  return (
    <Async state={manifest}>
      {(m) => (
        <div className="grid-2" data-testid="plugin-widgets">
          {m.plugins
            .flatMap((plugin) => plugin.widgets.map((widget) => ({ plugin, widget })))
            // Number rows first (full width), then the charts two by two.
            .sort((a, b) => Number(b.widget.kind === 'stats') - Number(a.widget.kind === 'stats'))
            .map(({ plugin, widget }) => (
              <Card
                key={`${plugin.id}.${widget.id}`}
                title={i18n.text(widget.title)}
                className={widget.kind === 'stats' ? 'span-2 widget' : 'widget'}
              >
                <ErrorBoundary title={i18n.t('page.crashed')} hint={i18n.t('page.crashedHint')}>
                  <Widget plugin={plugin.id} widget={widget} />
                </ErrorBoundary>
              </Card>
            ))}
        </div>
      )}
    </Async>
  );
}

function Widget({ plugin, widget }: { plugin: string; widget: WidgetDef }) {
  const state = useApi<unknown>(pluginPath(plugin, widget.endpoint));
  return (
    <Async state={state}>
      {(data) =>
        widget.kind === 'stats' ? (
          <StatsWidget widget={widget} data={data} />
        ) : (
          <BarWidget widget={widget} data={data} />
        )
      }
    </Async>
  );
}

function StatsWidget({ widget, data }: { widget: Extract<WidgetDef, { kind: 'stats' }>; data: unknown }) {
  const i18n = useI18n();
  return (
    <div className="widget-stats">
      {widget.stats.map((s) => (
        <Stat key={s.key} label={i18n.text(s.label)} value={formatValue(pick(data, s.key), s.format, i18n)} />
      ))}
    </div>
  );
}

function BarWidget({ widget, data }: { widget: Extract<WidgetDef, { kind: 'bar' }>; data: unknown }) {
  const items = pick(data, widget.items);
  return (
    <RowsBarChart
      rows={Array.isArray(items) ? items : []}
      label={widget.label}
      labelFormat={widget.labelFormat}
      value={widget.value}
      title={widget.title}
    />
  );
}

/** One bar per row: a widget's items, or the rows of a list page with `chart`. */
export function RowsBarChart({
  rows,
  label: labelKey,
  labelFormat,
  value,
  title,
}: {
  rows: unknown[];
  label: string;
  labelFormat?: 'text' | 'localized' | 'date';
  value: string;
  title: Localized;
}) {
  const i18n = useI18n();
  const config = useMemo<ChartConfiguration>(() => {
    const label = (row: unknown) => {
      const v = pick(row, labelKey);
      if (labelFormat === 'localized' && v && typeof v === 'object') return i18n.text(v as { en: string });
      if (labelFormat === 'date' && typeof v === 'string')
        return new Intl.DateTimeFormat(i18n.lang === 'ru' ? 'ru-RU' : 'en-GB', {
          day: 'numeric',
          month: 'short',
        }).format(new Date(v));
      return String(v ?? '—');
    };
    return {
      type: 'bar',
      data: {
        labels: rows.map(label),
        datasets: [
          {
            label: i18n.text(title),
            data: rows.map((row) => Number(pick(row, value) ?? 0)),
            backgroundColor: rows.map((_, i) => PALETTE[i % PALETTE.length]!),
            borderRadius: 4,
            maxBarThickness: 56,
          },
        ],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 } },
          // Long names (segments) are cut on the axis; the tooltip has them whole.
          x: {
            ticks: {
              callback(this: { getLabelForValue(v: number): string }, tick: string | number) {
                const text = String(this.getLabelForValue(Number(tick)));
                return text.length > 22 ? `${text.slice(0, 21)}…` : text;
              },
            },
          },
        },
      },
    };
  }, [rows, labelKey, labelFormat, value, title, i18n]);
  if (rows.length === 0) return <p className="empty chart-empty">{i18n.t('dash.noData')}</p>;
  return <ChartView config={config} height={240} />;
}
