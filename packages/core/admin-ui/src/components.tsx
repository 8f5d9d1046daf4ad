import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import {
  Component,
  type ErrorInfo,
  type ReactNode,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { ApiError, type Column, get, pick } from './api';
import { type I18n, useI18n } from './i18n';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  DoughnutController,
  ArcElement,
  LineController,
  LineElement,
  PointElement,
  Filler,
  Tooltip,
  Legend,
);
Chart.defaults.font.family = "'Inter', system-ui, sans-serif";
Chart.defaults.color = '#5b6477';

export const PALETTE = [
  '#4f46e5',
  '#0ea5e9',
  '#10b981',
  '#f59e0b',
  '#ef4444',
  '#8b5cf6',
  '#14b8a6',
  '#f97316',
];

// ---- data loading ------------------------------------------------------------------------------

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

export function useApi<T = any>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: !!path });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    get<T>(path).then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

// ---- small pieces ------------------------------------------------------------------------------

const ICONS: Record<string, string> = {
  dashboard: 'M3 13h8V3H3v10zm0 8h8v-6H3v6zm10 0h8V11h-8v10zm0-18v6h8V3h-8z',
  plugins:
    'M20.5 11H19V7a2 2 0 0 0-2-2h-4V3.5a2.5 2.5 0 0 0-5 0V5H4a2 2 0 0 0-2 2v3.8h1.5a2.7 2.7 0 0 1 0 5.4H2V20a2 2 0 0 0 2 2h3.8v-1.5a2.7 2.7 0 0 1 5.4 0V22H17a2 2 0 0 0 2-2v-4h1.5a2.5 2.5 0 0 0 0-5z',
  settings:
    'M19.4 13a7.5 7.5 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.6 7.6 0 0 0-1.7-1L15 3h-4l-.4 2.9a7.6 7.6 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.5 7.5 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1a7.6 7.6 0 0 0 1.7 1L11 21h4l.4-2.9a7.6 7.6 0 0 0 1.7-1l2.5 1 2-3.5L19.4 13zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z',
  usage: 'M4 20h16v-2H4v2zm1-4h3V9H5v7zm5 0h3V4h-3v12zm5 0h3v-5h-3v5z',
  admins:
    'M16 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm-8 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm0 2c-2.3 0-7 1.2-7 3.5V19h14v-2.5C15 14.2 10.3 13 8 13zm8 0c-.3 0-.6 0-1 .1 1.2.8 2 2 2 3.4V19h6v-2.5c0-2.3-4.7-3.5-7-3.5z',
  jobs: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 11h-5v-2h3V6h2v7z',
  migrations: 'M4 6h16v3H4V6zm0 5h16v3H4v-3zm0 5h16v3H4v-3z',
  logs: 'M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8l-6-6zm2 16H8v-2h8v2zm0-4H8v-2h8v2zm-3-5V3.5L18.5 9H13z',
  page: 'M4 4h16v4H4V4zm0 6h7v10H4V10zm9 0h7v10h-7V10z',
  menu: 'M3 6h18v2H3V6zm0 5h18v2H3v-2zm0 5h18v2H3v-2z',
  logout:
    'M10 17l1.4-1.4L8.8 13H20v-2H8.8l2.6-2.6L10 7l-5 5 5 5zM4 5h7V3H4a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h7v-2H4V5z',
};

export function Icon({ name, size = 18 }: { name: string; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" className="icon">
      <path d={ICONS[name] ?? ICONS.page} fill="currentColor" />
    </svg>
  );
}

export function Card({
  title,
  actions,
  children,
  className,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={['card', className].filter(Boolean).join(' ')}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      <div className="card-body">{children}</div>
    </section>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      {children && <div className="page-header-extra">{children}</div>}
    </div>
  );
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint && <div className="stat-hint">{hint}</div>}
    </div>
  );
}

export function Badge({ tone, children }: { tone: 'ok' | 'bad' | 'muted' | 'info'; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function Loading() {
  const { t } = useI18n();
  return (
    <div className="loading" role="status">
      <span className="spinner" /> {t('common.loading')}
    </div>
  );
}

export function ErrorNote({ error, retry }: { error: Error; retry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="error-note" role="alert">
      <strong>{t('common.error')}</strong>
      <span>
        {error instanceof ApiError ? `${error.status} ${error.code}: ` : ''}
        {error.message}
      </span>
      {retry && (
        <button type="button" className="btn btn-small" onClick={retry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

/** Loading, error or the content of one request. */
export function Async<T>({ state, children }: { state: Loaded<T>; children: (data: T) => ReactNode }) {
  if (state.error) return <ErrorNote error={state.error} retry={state.reload} />;
  if (state.data === undefined) return <Loading />;
  return <>{children(state.data)}</>;
}

// ---- error boundary ----------------------------------------------------------------------------

interface BoundaryProps {
  children: ReactNode;
  /** Changing it (e.g. the route) clears a caught error. */
  resetKey?: string;
  title: string;
  hint: string;
}

export class ErrorBoundary extends Component<BoundaryProps, { error: Error | null }> {
  state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    // Shown in the card; the console keeps the component stack for whoever debugs the plugin.
    console.warn('admin page failed', error, info.componentStack);
  }

  componentDidUpdate(prev: BoundaryProps) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="card error-card" role="alert" data-testid="page-error">
        <h2>{this.props.title}</h2>
        <p>{this.props.hint}</p>
        <pre>{this.state.error.message}</pre>
      </div>
    );
  }
}

// ---- charts ------------------------------------------------------------------------------------

export function ChartView({ config, height = 260 }: { config: ChartConfiguration; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      ...config,
      options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options },
    });
    return () => chart.destroy();
  }, [config]);
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" />
    </div>
  );
}

// ---- tables ------------------------------------------------------------------------------------

/** A raw value in the panel's language when the page labels it (`values`), else as is. */
export function valueLabel(value: unknown, values: Column['values'], i18n: I18n): string {
  const label = typeof value === 'string' || typeof value === 'number' ? values?.[String(value)] : undefined;
  return label ? i18n.text(label) : String(value);
}

export function formatValue(
  value: unknown,
  format: Column['format'],
  i18n: I18n,
  values?: Column['values'],
): ReactNode {
  if (value === null || value === undefined || value === '') return <span className="muted">—</span>;
  if (values && (format === undefined || format === 'text') && typeof value !== 'object')
    return valueLabel(value, values, i18n);
  switch (format) {
    case 'number':
      return typeof value === 'number' ? i18n.formatNumber(value, 2) : String(value);
    case 'percent':
      return typeof value === 'number' ? `${i18n.formatNumber(value * 100, 1)}%` : String(value);
    case 'localized':
      return typeof value === 'object' && 'en' in (value as object)
        ? i18n.text(value as { en: string })
        : String(value);
    case 'date':
      return i18n.formatDate(value as string);
    case 'boolean':
      return value ? i18n.t('common.yes') : i18n.t('common.no');
    case 'tags':
      return Array.isArray(value) ? (
        <span className="tags">
          {value.map((v) => (
            <Badge key={String(v)} tone="info">
              {valueLabel(v, values, i18n)}
            </Badge>
          ))}
        </span>
      ) : (
        String(value)
      );
    case 'json':
      return <code className="json">{JSON.stringify(value)}</code>;
    default:
      return typeof value === 'object' ? (
        <code className="json">{JSON.stringify(value)}</code>
      ) : (
        String(value)
      );
  }
}

export interface TableColumn<Row> {
  key: string;
  label: string;
  render?: (row: Row) => ReactNode;
  /** The value sorted and filtered on; default the field at `key`. */
  value?: (row: Row) => unknown;
  numeric?: boolean;
}

/** A table with sortable headers and a text filter over the rows it has. */
export function DataTable<Row>({
  rows,
  columns,
  rowKey,
  onRowClick,
  filterable = true,
  testId,
  cards = false,
}: {
  rows: Row[];
  columns: TableColumn<Row>[];
  rowKey: (row: Row, index: number) => string;
  onRowClick?: (row: Row) => void;
  filterable?: boolean;
  testId?: string;
  /** At phone width, each row is a card of label/value lines (rows with buttons stay usable). */
  cards?: boolean;
}) {
  const i18n = useI18n();
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | null>(null);
  const [filter, setFilter] = useState('');
  const cellValue = (row: Row, column: TableColumn<Row>) =>
    column.value ? column.value(row) : pick(row, column.key);
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    let list = needle
      ? rows.filter((row) =>
          columns.some((c) =>
            String(cellValue(row, c) ?? '')
              .toLowerCase()
              .includes(needle),
          ),
        )
      : rows;
    if (sort) {
      const column = columns.find((c) => c.key === sort.key);
      if (column) {
        list = [...list].sort((a, b) => {
          const x = cellValue(a, column);
          const y = cellValue(b, column);
          if (x == null) return 1;
          if (y == null) return -1;
          return (x < y ? -1 : x > y ? 1 : 0) * sort.dir;
        });
      }
    }
    return list;
  }, [rows, columns, sort, filter]);

  return (
    <div className="table-wrap" data-testid={testId}>
      {filterable && rows.length > 5 && (
        <input
          className="input table-filter"
          type="search"
          placeholder={i18n.t('common.search')}
          aria-label={i18n.t('common.search')}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      )}
      {shown.length === 0 ? (
        <p className="empty">{i18n.t('common.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table className={cards ? 'table table-cards' : 'table'}>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.key} className={c.numeric ? 'num' : undefined}>
                    <button
                      type="button"
                      className="th-sort"
                      onClick={() =>
                        setSort((s) =>
                          s?.key === c.key
                            ? { key: c.key, dir: s.dir === 1 ? -1 : 1 }
                            : { key: c.key, dir: 1 },
                        )
                      }
                    >
                      {c.label}
                      {sort?.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((row, index) => (
                <tr
                  key={rowKey(row, index)}
                  className={onRowClick ? 'clickable' : undefined}
                  onClick={onRowClick ? () => onRowClick(row) : undefined}
                  onKeyDown={
                    onRowClick
                      ? (e) => {
                          if (e.key === 'Enter') onRowClick(row);
                        }
                      : undefined
                  }
                  tabIndex={onRowClick ? 0 : undefined}
                >
                  {columns.map((c) => (
                    <td key={c.key} className={c.numeric ? 'num' : undefined} data-label={c.label}>
                      {c.render ? c.render(row) : formatValue(cellValue(row, c), undefined, i18n)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
