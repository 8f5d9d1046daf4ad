(() => {
  const $ = (id) => document.getElementById(id);
  const base = location.pathname.replace(/\/playground\/?$/, '/playground');
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  let last = '';

  async function refresh() {
    const igsid = $('igsid').value.trim();
    if (!/^\d{1,20}$/.test(igsid)) return;
    const res = await fetch(`${base}/thread?igsid=${igsid}`);
    if (!res.ok) return;
    const data = await res.json();
    const key = JSON.stringify(data);
    if (key === last) return;
    last = key;
    const thread = $('thread');
    thread.replaceChildren();
    for (const m of data.messages) {
      const bubble = el('div', `msg ${m.direction === 'in' ? 'in' : 'out'}`, m.text ?? '(attachment)');
      const who =
        m.direction === 'in'
          ? `${m.intent ?? '…'} · ${m.sentiment ?? '…'}`
          : `${m.senderType}${m.tag ? ` · ${m.tag}` : ''}`;
      bubble.append(el('div', 'meta', `${who} · ${new Date(m.at).toLocaleTimeString()}`));
      thread.append(bubble);
    }
    thread.scrollTop = thread.scrollHeight;
    const w = data.window;
    $('window').replaceChildren(
      ...(w
        ? [
            el('div', w.bot.allowed ? 'ok' : 'bad', `bot: ${w.bot.allowed ? 'may reply' : w.bot.message}`),
            el(
              'div',
              w.human.allowed ? 'ok' : 'bad',
              `person: ${w.human.allowed ? (w.human.options.tag ? 'HUMAN_AGENT tag' : 'may reply') : w.human.message}`,
            ),
          ]
        : [el('div', '', 'no messages yet')]),
    );
    $('status').textContent = data.conversation
      ? `${data.conversation.status}${data.conversation.tags.length ? ` · tags: ${data.conversation.tags.join(', ')}` : ''}`
      : '—';
    $('decisions').replaceChildren(
      ...data.decisions.map((d) => el('div', '', `${d.action} — ${d.rule_name ?? 'default'}: ${d.reason}`)),
    );
    $('outbox').replaceChildren(
      ...data.outbox.map((o) =>
        el(
          'div',
          o.status === 'refused' || o.status === 'failed' ? 'bad' : '',
          `${o.author} · ${o.status}${o.tag ? ` · ${o.tag}` : ''}${o.errorMessage ? ` — ${o.errorMessage}` : ''}`,
        ),
      ),
    );
  }

  $('send').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    await fetch(`${base}/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ igsid: $('igsid').value.trim(), text, hoursAgo: Number($('hours').value) || 0 }),
    });
    refresh();
  });
  $('igsid').addEventListener('change', () => {
    last = '';
    refresh();
  });
  setInterval(refresh, 1500);
  refresh();
})();
