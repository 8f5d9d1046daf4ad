// Support web app chat. Works inside Telegram (telegram-web-app.js) and without it: initData
// and theme then come from the URL fragment (#tgWebAppData=...&tgWebAppThemeParams=...), as
// Telegram passes them.
(() => {
  const TEXT = {
    en: {
      title: 'Support',
      empty: 'Ask us anything. The assistant answers right away; a manager joins if needed.',
      rate: 'How would you rate our help?',
      satisfied: "✅ I'm satisfied",
      callManager: '🙋 Call a manager',
      placeholder: 'Message…',
      you: 'You',
      assistant: 'Assistant',
      manager: 'Manager',
      ai: 'Assistant',
      waiting_manager: 'Waiting for a manager',
      with_manager: 'Manager',
      closed: 'Closed',
      authFailed: 'Could not verify your Telegram session. Close the app and open it again from the bot.',
      offline: 'Connection lost. Reconnecting…',
      uploadFailed: 'The file was not sent: ',
      tooLarge: 'the file is too large',
      badType: 'this file type is not allowed',
      thanks: 'Thank you for your rating!',
    },
    ru: {
      title: 'Поддержка',
      empty: 'Задайте вопрос. Ассистент ответит сразу; при необходимости подключится менеджер.',
      rate: 'Оцените, пожалуйста, нашу помощь',
      satisfied: '✅ Вопрос решён',
      callManager: '🙋 Позвать менеджера',
      placeholder: 'Сообщение…',
      you: 'Вы',
      assistant: 'Ассистент',
      manager: 'Менеджер',
      ai: 'Ассистент',
      waiting_manager: 'Ждём менеджера',
      with_manager: 'Менеджер',
      closed: 'Закрыто',
      authFailed:
        'Не удалось проверить вашу сессию Telegram. Закройте приложение и откройте его снова из бота.',
      offline: 'Связь потеряна. Переподключаемся…',
      uploadFailed: 'Файл не отправлен: ',
      tooLarge: 'файл слишком большой',
      badType: 'такой тип файла не поддерживается',
      thanks: 'Спасибо за оценку!',
    },
  };

  const hash = new URLSearchParams(location.hash.slice(1));
  const state = {
    ticket: null,
    seen: new Set(),
    ws: null,
    retry: 0,
    authFailed: false,
    initData: '',
    lang: 'en',
  };
  const $ = (id) => document.getElementById(id);
  const t = (key) => (TEXT[state.lang] || TEXT.en)[key] || TEXT.en[key] || key;

  function loadTelegramScript() {
    return new Promise((resolve) => {
      const script = document.createElement('script');
      script.src = 'https://telegram.org/js/telegram-web-app.js';
      const timer = setTimeout(() => resolve(false), 1500);
      script.onload = () => {
        clearTimeout(timer);
        resolve(true);
      };
      script.onerror = () => {
        clearTimeout(timer);
        resolve(false);
      };
      document.head.appendChild(script);
    });
  }

  function applyTheme(params) {
    if (!params) return;
    for (const [key, value] of Object.entries(params)) {
      if (typeof value === 'string' && /^#[0-9a-f]{3,8}$/i.test(value)) {
        document.documentElement.style.setProperty(`--tg-theme-${key.replace(/_/g, '-')}`, value);
      }
    }
  }

  function userFromInitData(initData) {
    try {
      return JSON.parse(new URLSearchParams(initData).get('user') || 'null');
    } catch {
      return null;
    }
  }

  function localize() {
    document.documentElement.lang = state.lang;
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll('[data-i18n-placeholder]'))
      el.placeholder = t(el.dataset.i18nPlaceholder);
  }

  function notice(text) {
    const el = $('notice');
    el.textContent = text || '';
    el.hidden = !text;
  }

  function time(iso) {
    const d = new Date(iso);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  }

  function renderMessage(m) {
    if (state.seen.has(m.id)) return;
    state.seen.add(m.id);
    $('empty').hidden = true;
    const el = document.createElement('div');
    el.className = `msg msg--${m.author}`;
    el.dataset.author = m.author;
    el.dataset.id = String(m.id);
    if (m.author === 'ai' || m.author === 'manager') {
      const who = document.createElement('div');
      who.className = 'msg__author';
      who.textContent = m.author === 'manager' ? m.authorName || t('manager') : t('assistant');
      el.appendChild(who);
    }
    if (m.text) {
      const body = document.createElement('div');
      body.className = 'msg__text';
      body.textContent = m.text;
      el.appendChild(body);
    }
    if (m.file) {
      if (m.file.type.startsWith('image/')) {
        const img = document.createElement('img');
        img.src = m.file.url;
        img.alt = m.file.name;
        el.appendChild(img);
      } else {
        const a = document.createElement('a');
        a.href = m.file.url;
        a.textContent = `📄 ${m.file.name}`;
        a.rel = 'noopener';
        a.target = '_blank';
        el.appendChild(a);
      }
    }
    if (m.offer) {
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'chip msg__offer';
      btn.textContent = t('callManager');
      btn.addEventListener('click', () => send({ type: 'call_manager' }));
      el.appendChild(btn);
    }
    const stamp = document.createElement('div');
    stamp.className = 'msg__time';
    stamp.textContent = time(m.createdAt);
    el.appendChild(stamp);
    const list = $('messages');
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    list.appendChild(el);
    if (nearBottom || m.author === 'customer') list.scrollTop = list.scrollHeight;
  }

  function renderTicket(ticket) {
    state.ticket = ticket;
    const badge = $('status');
    badge.hidden = !ticket;
    if (!ticket) return;
    badge.dataset.status = ticket.status;
    badge.textContent = `#${ticket.id} · ${t(ticket.status)}`;
    $('rating').hidden = !(ticket.status === 'closed' && ticket.rating == null);
    const open = ticket.status !== 'closed';
    $('satisfied').disabled = !open;
    $('call-manager').disabled = !(open && ticket.status === 'ai');
  }

  function onEvent(event) {
    if (event.type === 'history') {
      if (event.ticket) renderTicket(event.ticket);
      for (const m of event.messages) renderMessage(m);
      document.body.dataset.ready = 'true';
    } else if (event.type === 'message') {
      renderMessage(event.message);
    } else if (event.type === 'ticket') {
      if (state.ticket && state.ticket.id !== event.ticket.id) $('rating').hidden = true;
      renderTicket(event.ticket);
    } else if (event.type === 'error') {
      notice(event.text);
    }
  }

  function send(event) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) {
      state.ws.send(JSON.stringify(event));
      return true;
    }
    notice(t('offline'));
    return false;
  }

  function connect() {
    if (state.authFailed) return;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(
      `${proto}//${location.host}/p/support/ws?initData=${encodeURIComponent(state.initData)}`,
    );
    state.ws = ws;
    ws.onopen = () => {
      state.retry = 0;
      notice('');
      document.body.dataset.connected = 'true';
    };
    ws.onmessage = (e) => {
      try {
        onEvent(JSON.parse(e.data));
      } catch {
        /* ignore malformed */
      }
    };
    ws.onclose = () => {
      document.body.dataset.connected = 'false';
      if (state.authFailed) return;
      notice(t('offline'));
      state.retry = Math.min(state.retry + 1, 6);
      setTimeout(checkAndConnect, 500 * 2 ** state.retry);
    };
  }

  /** A plain request first: a refused initData gets a clear message instead of endless reconnects. */
  async function checkAndConnect() {
    try {
      const res = await fetch('/p/support/api/history', {
        headers: { Authorization: `tma ${state.initData}` },
      });
      if (res.status === 401) {
        state.authFailed = true;
        document.body.dataset.auth = 'refused';
        notice(t('authFailed'));
        for (const el of document.querySelectorAll('button, textarea, input')) el.disabled = true;
        return;
      }
    } catch {
      /* network: the socket retries */
    }
    connect();
  }

  async function upload(file) {
    const form = new FormData();
    form.append('file', file, file.name);
    const text = $('text').value.trim();
    if (text) form.append('caption', text);
    const res = await fetch('/p/support/api/upload', {
      method: 'POST',
      headers: { Authorization: `tma ${state.initData}` },
      body: form,
    });
    if (res.ok) {
      $('text').value = '';
      notice('');
      return;
    }
    let reason = '';
    if (res.status === 413) reason = t('tooLarge');
    else if (res.status === 415) reason = t('badType');
    else {
      try {
        reason = (await res.json()).error.message;
      } catch {
        reason = String(res.status);
      }
    }
    notice(t('uploadFailed') + reason);
  }

  async function main() {
    const inTelegram = await loadTelegramScript();
    const tg = inTelegram && window.Telegram?.WebApp;
    state.initData = tg?.initData || hash.get('tgWebAppData') || '';
    let theme = tg?.themeParams && Object.keys(tg.themeParams).length ? tg.themeParams : null;
    if (!theme) {
      try {
        theme = JSON.parse(hash.get('tgWebAppThemeParams') || 'null');
      } catch {
        theme = null;
      }
    }
    applyTheme(theme);
    if (tg) {
      tg.ready();
      tg.expand();
      tg.onEvent('themeChanged', () => applyTheme(tg.themeParams));
    }
    const user = userFromInitData(state.initData);
    state.lang = user && /^ru\b/i.test(user.language_code || '') ? 'ru' : 'en';
    localize();
    if (!state.initData) {
      state.authFailed = true;
      document.body.dataset.auth = 'refused';
      notice(t('authFailed'));
      return;
    }

    $('composer').addEventListener('submit', (e) => {
      e.preventDefault();
      const text = $('text').value.trim();
      if (!text) return;
      if (send({ type: 'message', text })) $('text').value = '';
    });
    $('text').addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        $('composer').requestSubmit();
      }
    });
    $('file').addEventListener('change', async (e) => {
      const file = e.target.files?.[0];
      e.target.value = '';
      if (file) await upload(file);
    });
    $('satisfied').addEventListener('click', () => send({ type: 'satisfied' }));
    $('call-manager').addEventListener('click', () => send({ type: 'call_manager' }));
    for (const btn of document.querySelectorAll('[data-rating]')) {
      btn.addEventListener('click', () => {
        if (!state.ticket) return;
        send({ type: 'rate', ticketId: state.ticket.id, rating: Number(btn.dataset.rating) });
        btn.classList.add('is-selected');
      });
    }
    await checkAndConnect();
  }

  main();
})();
