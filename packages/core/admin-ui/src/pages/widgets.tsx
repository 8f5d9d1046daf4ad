import type { ChartConfiguration } from 'chart.js';
import { useMemo } from 'react';
import { type PanelManifest, pick, pluginPath, type WidgetDef } from '../api';
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
  const i18n = useI18n();
  const config = useMemo<ChartConfiguration>(() => {
    const items = pick(data, widget.items);
    const rows = Array.isArray(items) ? items : [];
    const label = (row: unknown) => {
      const value = pick(row, widget.label);
      if (widget.labelFormat === 'localized' && value && typeof value === 'object')
        return i18n.text(value as { en: string });
      if (widget.labelFormat === 'date' && typeof value === 'string')
        return new Intl.DateTimeFormat(i18n.lang === 'ru' ? 'ru-RU' : 'en-GB', {
          day: 'numeric',
          month: 'short',
        }).format(new Date(value));
      return String(value ?? '—');
    };
    return {
      type: 'bar',
      data: {
        labels: rows.map(label),
        datasets: [
          {
            label: i18n.text(widget.title),
            data: rows.map((row) => Number(pick(row, widget.value) ?? 0)),
            backgroundColor: rows.map((_, i) => PALETTE[i % PALETTE.length]!),
            borderRadius: 4,
            maxBarThickness: 56,
          },
        ],
      },
      options: {
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    };
  }, [widget, data, i18n]);
  const count = config.data.labels?.length ?? 0;
  if (count === 0) return <p className="empty chart-empty">{i18n.t('dash.noData')}</p>;
  return <ChartView config={config} height={240} />;
}
