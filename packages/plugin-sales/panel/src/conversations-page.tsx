import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { bindHost, host, messageOf, type PanelHost, salesApi, useCanWrite } from './host';
import { statusLabel, useLabels } from './labels';
import { installStyles } from './styles';

/** Core's custom-page contract: React and the panel kit come from the host. */
export default function createPage(panel: PanelHost) {
  bindHost(panel);
  installStyles();
  return ConversationsPage;
}

interface Conversation {
  id: string;
  scriptSlug: string;
  scriptVersion: number;
  userId: number;
  stage: string;
  status: 'active' | 'paused' | 'ended';
  lastStrategy: string | null;
  takenOverBy: string | null;
  endReason: string | null;
  educationStatus: string | null;
  startedAt: string;
  updatedAt: string;
}

interface Message {
  id: number;
  author: string;
  text?: string;
  stage: string;
  strategy: string | null;
  scriptFitScore: number | null;
  intent: string | null;
  analysis?: { summary: string } | null;
  createdAt: string;
}

interface Transition {
  from: string;
  to: string;
  applied: boolean;
  reason: string | null;
  createdAt: string;
}

const LIMIT = 50;
const tone = (status: string): 'ok' | 'info' | 'muted' =>
  status === 'active' ? 'ok' : status === 'paused' ? 'info' : 'muted';

function ConversationsPage() {
  const [open, setOpen] = useState<string | null>(null);
  return open ? (
    <ConversationView id={open} onBack={() => setOpen(null)} />
  ) : (
    <ConversationList onOpen={setOpen} />
  );
}

function ConversationList({ onOpen }: { onOpen(id: string): void }) {
  const { t, formatDate } = useLabels();
  const { Loading, Badge } = host().components;
  const [status, setStatus] = useState('');
  const [strategy, setStrategy] = useState('');
  const [stage, setStage] = useState('');
  // The stages to filter by: those the funnel has seen (any script).
  const [stages, setStages] = useState<string[]>([]);
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<{ conversations: Conversation[]; total: number } | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    const q = new URLSearchParams({ limit: String(LIMIT), offset: String(offset) });
    if (status) q.set('status', status);
    if (strategy) q.set('strategy', strategy);
    if (stage) q.set('stage', stage);
    salesApi.get(`/conversations?${q}`).then(setData, (e) => setError(messageOf(e)));
  }, [status, strategy, stage, offset]);

  useEffect(() => {
    salesApi.get('/stats').then(
      (s: { funnel: Array<{ stage: string }> }) => setStages([...new Set(s.funnel.map((f) => f.stage))]),
      () => setStages([]),
    );
  }, []);

  const filter = (
    id: string,
    label: string,
    value: string,
    set: (v: string) => void,
    options: string[],
    optionLabel: (o: string) => string = (o) => o,
  ) => (
    <div className="field inline">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        className="input"
        value={value}
        onChange={(e) => {
          set(e.target.value);
          setOffset(0);
        }}
      >
        <option value="">{t('all')}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {optionLabel(o)}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <section className="card" data-testid="sales-conversations">
      <header className="card-header">
        <h2>{t('conversations')}</h2>
      </header>
      <div className="card-body">
        <div className="toolbar">
          {filter('sales-filter-status', t('status'), status, setStatus, ['active', 'paused', 'ended'], (o) =>
            statusLabel(t, o),
          )}
          {filter('sales-filter-strategy', t('strategy'), strategy, setStrategy, ['script_80', 'free_20'])}
          {filter('sales-filter-stage', t('stageTarget'), stage, setStage, stages)}
        </div>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {!data && !error && <Loading />}
        {data && data.conversations.length === 0 && <p className="muted">{t('noConversations')}</p>}
        {data && data.conversations.length > 0 && (
          <>
            <div className="table-scroll">
              <table className="table sales-stack" data-testid="conversations-table">
                <thead>
                  <tr>
                    <th scope="col">{t('telegramId')}</th>
                    <th scope="col">{t('script')}</th>
                    <th scope="col">{t('stageTarget')}</th>
                    <th scope="col">{t('status')}</th>
                    <th scope="col">{t('strategy')}</th>
                    <th scope="col">{t('updated')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.conversations.map((c) => (
                    <tr key={c.id}>
                      <td data-label={t('telegramId')}>
                        <button
                          type="button"
                          className="btn btn-small"
                          aria-label={t('openConversation', { user: c.userId })}
                          onClick={() => onOpen(c.id)}
                        >
                          {c.userId}
                        </button>
                      </td>
                      <td data-label={t('script')}>
                        {c.scriptSlug} v{c.scriptVersion}
                      </td>
                      <td data-label={t('stageTarget')}>{c.stage}</td>
                      <td data-label={t('status')}>
                        <Badge tone={tone(c.status)}>{statusLabel(t, c.status)}</Badge>
                      </td>
                      <td data-label={t('strategy')}>{c.lastStrategy ?? '—'}</td>
                      <td data-label={t('updated')}>{formatDate(c.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="pager form-buttons">
              <span className="muted">
                {t('rows', {
                  from: offset + 1,
                  to: offset + data.conversations.length,
                  total: data.total,
                })}
              </span>
              <button
                type="button"
                className="btn btn-small"
                disabled={offset === 0}
                onClick={() => setOffset(Math.max(0, offset - LIMIT))}
              >
                {t('prev')}
              </button>
              <button
                type="button"
                className="btn btn-small"
                disabled={offset + LIMIT >= data.total}
                onClick={() => setOffset(offset + LIMIT)}
              >
                {t('next')}
              </button>
            </div>
          </>
        )}
      </div>
    </section>
  );
}

function ConversationView({ id, onBack }: { id: string; onBack(): void }) {
  const { t, formatDate } = useLabels();
  const { Loading, Badge } = host().components;
  const [detail, setDetail] = useState<{
    conversation: Conversation;
    contentIncluded: boolean;
    messages: Message[];
    transitions: Transition[];
  } | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [text, setText] = useState('');
  const canWrite = useCanWrite();

  const load = useCallback(
    () =>
      salesApi
        .get(`/conversations/${id}`)
        .then(setDetail, (e) => setNotice({ ok: false, text: messageOf(e) })),
    [id],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (endpoint: string, done: string, body?: unknown) => {
    setBusy(true);
    setNotice(null);
    try {
      await salesApi.send('POST', `/conversations/${id}/${endpoint}`, body);
      await load();
      setNotice({ ok: true, text: done });
      return true;
    } catch (err) {
      setNotice({ ok: false, text: messageOf(err) });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (await act('messages', t('sent'), { text })) setText('');
  };

  if (!detail) return notice ? <p className="form-error">{notice.text}</p> : <Loading />;
  const c = detail.conversation;
  const row = (label: string, value: string | number | null) => (
    <div className="detail-row">
      <dt>{label}</dt>
      <dd>{value ?? '—'}</dd>
    </div>
  );

  return (
    <div data-testid="conversation-view">
      <div className="page-actions">
        <button type="button" className="btn btn-ghost" onClick={onBack}>
          ← {t('allConversations')}
        </button>
        <span data-testid="conversation-status">
          <Badge tone={tone(c.status)}>{statusLabel(t, c.status)}</Badge>
        </span>
        {canWrite && c.status === 'active' && (
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            onClick={() => void act('takeover', t('tookOver'))}
          >
            {t('takeover')}
          </button>
        )}
        {canWrite && c.status === 'paused' && (
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            onClick={() => void act('resume', t('handedBack'))}
          >
            {t('handBack')}
          </button>
        )}
      </div>
      {canWrite && c.status === 'active' && <p className="field-hint">{t('takeoverHint')}</p>}
      {notice && (
        <p
          className={notice.ok ? 'form-ok' : 'form-error'}
          role={notice.ok ? 'status' : 'alert'}
          data-testid="conversation-notice"
        >
          {notice.text}
        </p>
      )}
      {canWrite && c.status === 'paused' && (
        <form className="card" onSubmit={send}>
          <div className="card-body">
            <div className="field field-wide">
              <label htmlFor="sales-operator-text">{t('operatorMessage')}</label>
              <textarea
                id="sales-operator-text"
                className="input"
                rows={3}
                maxLength={4000}
                value={text}
                onChange={(e) => setText(e.target.value)}
              />
            </div>
            <button type="submit" className="btn btn-primary" disabled={busy || !text.trim()}>
              {t('send')}
            </button>
          </div>
        </form>
      )}
      <section className="card">
        <div className="card-body">
          <dl className="detail">
            {row(t('telegramId'), c.userId)}
            {row(t('script'), `${c.scriptSlug} v${c.scriptVersion}`)}
            {row(t('stageTarget'), c.stage)}
            {row(t('takenOverBy'), c.takenOverBy)}
            {row(t('endReason'), c.endReason)}
            {row(t('educationStatus'), c.educationStatus)}
            {row(t('started'), formatDate(c.startedAt))}
          </dl>
        </div>
      </section>
      <section className="card">
        <header className="card-header">
          <h2>{t('stageHistory')}</h2>
        </header>
        <div className="card-body table-scroll">
          <table className="table sales-stack">
            <thead>
              <tr>
                <th scope="col">{t('whenCol')}</th>
                <th scope="col">{t('fromStage')}</th>
                <th scope="col">{t('toStage')}</th>
                <th scope="col">{t('applied')}</th>
                <th scope="col">{t('reason')}</th>
              </tr>
            </thead>
            <tbody>
              {detail.transitions.map((x, i) => (
                <tr key={`${x.createdAt}-${i}`}>
                  <td data-label={t('whenCol')}>{formatDate(x.createdAt)}</td>
                  <td data-label={t('fromStage')}>{x.from}</td>
                  <td data-label={t('toStage')}>{x.to}</td>
                  <td data-label={t('applied')}>{x.applied ? t('yes') : t('no')}</td>
                  <td data-label={t('reason')}>{x.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card">
        <header className="card-header">
          <h2>{t('transcript')}</h2>
        </header>
        <div className="card-body table-scroll">
          {!detail.contentIncluded && <p className="muted">{t('contentHidden')}</p>}
          <table className="table sales-stack" data-testid="transcript">
            <thead>
              <tr>
                <th scope="col">{t('whenCol')}</th>
                <th scope="col">{t('author')}</th>
                <th scope="col">{t('text')}</th>
                <th scope="col">{t('strategy')}</th>
                <th scope="col">{t('fit')}</th>
                <th scope="col">{t('intent')}</th>
                <th scope="col">{t('analysis')}</th>
              </tr>
            </thead>
            <tbody>
              {detail.messages.map((m) => (
                <tr key={m.id}>
                  <td data-label={t('whenCol')}>{formatDate(m.createdAt)}</td>
                  <td data-label={t('author')}>{m.author}</td>
                  <td data-label={t('text')}>{m.text ?? ''}</td>
                  <td data-label={t('strategy')}>{m.strategy ?? ''}</td>
                  <td data-label={t('fit')}>
                    {m.scriptFitScore === null ? '' : `${Math.round(m.scriptFitScore * 100)}%`}
                  </td>
                  <td data-label={t('intent')}>{m.intent ?? ''}</td>
                  <td data-label={t('analysis')}>{m.analysis?.summary ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
