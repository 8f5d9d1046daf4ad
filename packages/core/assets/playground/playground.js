// Botloom sandbox playground: a Telegram-like chat over the sandbox control API.
(() => {
  const base = document.querySelector('meta[name="sandbox-base"]').content || '';
  // A sandbox reachable beyond this machine is guarded by a token: it comes in the address
  // printed at start (?token=...) and goes with every control call (header) and file link (query).
  const token =
    new URLSearchParams(location.search).get('token') ||
    sessionStorage.getItem('botloom-sandbox-token') ||
    '';
  if (token) sessionStorage.setItem('botloom-sandbox-token', token);
  const fileUrl = (fileId) =>
    `${base}/control/files/${encodeURIComponent(fileId)}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const $ = (id) => document.getElementById(id);
  const state = {
    bot: null,
    users: [],
    chats: [],
    userId: Number(localStorage.getItem('botloom-sandbox-user')) || null,
    chatId: null,
    threadId: null,
    seq: 0,
    messages: [],
    pressed: new Set(),
    typingTimer: null,
    /** The "/" menu: the commands for the open chat, and the highlighted one. */
    commands: [],
    commandIndex: 0,
  };

  async function api(path, options = {}) {
    const response = await fetch(`${base}/control${path}`, {
      method: options.method || 'GET',
      headers: {
        ...(options.body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { 'x-sandbox-token': token } : {}),
      },
      body: options.body ? JSON.stringify(options.body) : undefined,
    });
    const payload = await response.json();
    if (!payload.ok) throw new Error(payload.error ? payload.error.message : 'Request failed');
    return payload.result;
  }

  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of [].concat(children)) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const COLORS = ['#e17076', '#7bc862', '#65aadd', '#a695e7', '#ee7aae', '#6ec9cb', '#faa774'];
  function letterAvatar(name, id) {
    const span = el('span', { class: 'avatar letter', text: (name || '?').charAt(0).toUpperCase() });
    span.style.background = COLORS[Math.abs(Number(id) || 0) % COLORS.length];
    return span;
  }
  function botAvatar() {
    return el('img', { class: 'avatar', src: `${base}/playground/bot-avatar.svg`, alt: '' });
  }

  function toast(text, alert) {
    const node = $('toast');
    node.textContent = text;
    node.className = alert ? 'toast alert' : 'toast';
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => (node.hidden = true), alert ? 4000 : 2500);
  }

  // ---- formatting: Telegram entities to DOM ---------------------------------------------
  function renderEntities(text, entities) {
    const fragment = document.createDocumentFragment();
    if (!entities || entities.length === 0) {
      fragment.append(text);
      return fragment;
    }
    const bounds = new Set([0, text.length]);
    for (const e of entities) {
      bounds.add(e.offset);
      bounds.add(Math.min(text.length, e.offset + e.length));
    }
    const points = [...bounds].sort((a, b) => a - b);
    for (let i = 0; i < points.length - 1; i++) {
      const start = points[i];
      const end = points[i + 1];
      let node = document.createTextNode(text.slice(start, end));
      const covering = entities.filter((e) => e.offset <= start && e.offset + e.length >= end);
      for (const e of covering.reverse()) node = wrapEntity(e, node, text);
      fragment.append(node);
    }
    return fragment;
  }

  function wrapEntity(entity, inner, text) {
    const tags = {
      bold: 'b',
      italic: 'i',
      underline: 'u',
      strikethrough: 's',
      code: 'code',
      pre: 'pre',
      blockquote: 'blockquote',
      expandable_blockquote: 'blockquote',
    };
    if (tags[entity.type]) return el(tags[entity.type], {}, inner);
    if (entity.type === 'spoiler') {
      return el(
        'span',
        { class: 'spoiler', onclick: (ev) => ev.currentTarget.classList.toggle('shown') },
        inner,
      );
    }
    if (entity.type === 'text_link' || entity.type === 'url') {
      const href = entity.url || text.slice(entity.offset, entity.offset + entity.length);
      if (/^https:\/\/t\.me\/\+/i.test(href)) {
        // An invite link: opening it joins the group as the current person (as in Telegram).
        const join = (ev) => {
          ev.preventDefault();
          joinByLink(href);
        };
        return el('a', { href: '#', onclick: join }, inner);
      }
      return el(
        'a',
        { href: /^https?:/i.test(href) ? href : `http://${href}`, target: '_blank', rel: 'noopener' },
        inner,
      );
    }
    if (entity.type === 'bot_command') {
      const command = text.slice(entity.offset, entity.offset + entity.length);
      return el(
        'a',
        {
          href: '#',
          onclick: (ev) => {
            ev.preventDefault();
            sendText(command);
          },
        },
        inner,
      );
    }
    return inner;
  }

  // ---- data loading --------------------------------------------------------------------
  function currentUser() {
    return state.users.find((u) => u.id === state.userId) || null;
  }
  function currentChat() {
    return state.chats.find((c) => c.chat.id === state.chatId) || null;
  }

  async function loadUsers() {
    state.users = await api('/users');
    if (state.users.length === 0) {
      await api('/users', { method: 'POST', body: { first_name: 'Guest' } });
      state.users = await api('/users');
    }
    if (!state.users.some((u) => u.id === state.userId)) state.userId = state.users[0].id;
    renderUsers();
  }

  async function loadChats() {
    // With the user: their unread counts per chat and topic.
    state.chats = await api(`/chats${state.userId ? `?userId=${state.userId}` : ''}`);
    renderChatList();
    renderJoinable();
    renderHeader();
  }

  /** Everything shown in the open chat (and topic) is read by the current user. */
  async function markRead() {
    if (state.chatId === null || state.userId === null || document.hidden) return;
    const unread = currentChat()?.unread;
    if (!unread?.threads[state.threadId ?? 0]) return;
    try {
      await api(`/chats/${state.chatId}/read`, {
        method: 'POST',
        body: { userId: state.userId, threadId: state.threadId ?? undefined },
      });
      await loadChats();
    } catch {
      // The private chat exists only after the first message: nothing to mark yet.
    }
  }

  async function loadMessages() {
    if (state.chatId === null) return;
    const chat = currentChat();
    if (!chat) {
      state.messages = [];
    } else {
      const all = await api(`/chats/${state.chatId}/messages`);
      state.messages = chat.chat.is_forum
        ? all.filter(
            (m) =>
              (m.message_thread_id || null) === state.threadId ||
              (state.threadId === null && !m.is_topic_message),
          )
        : all;
    }
    renderMessages();
    renderReplyKeyboard();
    await markRead();
  }

  // ---- rendering -------------------------------------------------------------------------
  function renderUsers() {
    const select = $('user-select');
    select.replaceChildren(
      ...state.users.map((u) =>
        el(
          'option',
          { value: u.id, selected: u.id === state.userId },
          `${u.first_name}${u.username ? ` (@${u.username})` : ''}${u.language_code ? ` · ${u.language_code}` : ''}`,
        ),
      ),
    );
    const user = currentUser();
    $('blocked-toggle').checked = Boolean(user?.blocked);
  }

  function visibleChats() {
    const user = currentUser();
    if (!user) return [];
    const privateChat = state.chats.find((c) => c.chat.id === user.id);
    const list = [
      privateChat || {
        chat: { id: user.id, type: 'private', first_name: state.bot ? state.bot.first_name : 'Bot' },
        virtual: true,
      },
    ];
    for (const c of state.chats) {
      if (c.chat.type === 'private') continue;
      const member = c.members.find((m) => m.userId === user.id);
      if (member && member.status !== 'left' && member.status !== 'kicked') list.push(c);
    }
    return list;
  }

  function chatTitle(c) {
    if (c.chat.type === 'private') return state.bot ? state.bot.first_name : 'Bot';
    const icon = c.chat.type === 'channel' ? '📢 ' : c.chat.is_forum ? '💬 ' : '👥 ';
    return icon + c.chat.title;
  }

  function unreadBadge(count) {
    return count > 0 ? el('span', { class: 'unread-badge', 'data-testid': 'unread', text: count }) : null;
  }

  function renderChatList() {
    const list = $('chat-list');
    list.replaceChildren(
      ...visibleChats().map((c) => {
        const unread = c.unread ? c.unread.total : 0;
        return el(
          'li',
          {
            class: `${c.chat.id === state.chatId ? 'active' : ''}${unread ? ' unread' : ''}`,
            'data-chat-id': c.chat.id,
            onclick: () => openChat(c.chat.id),
          },
          [
            c.chat.type === 'private' ? botAvatar() : letterAvatar(c.chat.title, c.chat.id),
            el('div', {}, [
              el('div', { class: 'title', text: chatTitle(c) }),
              el('div', { class: 'subtitle', text: c.chat.type === 'private' ? 'bot' : c.chat.type }),
            ]),
            unreadBadge(unread),
          ],
        );
      }),
    );
  }

  /** Groups (and channels) the current user is not in and may join, as in Telegram's search. */
  function renderJoinable() {
    const user = currentUser();
    const joinable = user
      ? state.chats.filter((c) => {
          if (c.chat.type === 'private' || c.botStatus === 'left' || c.botStatus === 'kicked') return false;
          const member = c.members.find((m) => m.userId === user.id);
          return !member || member.status === 'left';
        })
      : [];
    $('joinable-title').hidden = joinable.length === 0;
    $('joinable-list').replaceChildren(
      ...joinable.map((c) =>
        el('li', { 'data-chat-id': c.chat.id }, [
          letterAvatar(c.chat.title, c.chat.id),
          el('div', { class: 'title', text: chatTitle(c) }),
          el('button', { type: 'button', onclick: () => joinChat(c.chat.id) }, 'Join'),
        ]),
      ),
    );
  }

  // The group header in the acting user's language, as their Telegram app would show it.
  const HEADER_WORDS = {
    en: {
      members: { one: 'member', other: 'members' },
      bot: (status) => `bot is ${status}`,
      statuses: {},
    },
    ru: {
      members: { one: 'участник', few: 'участника', many: 'участников', other: 'участника' },
      bot: (status) => `бот: ${status}`,
      statuses: {
        creator: 'владелец',
        administrator: 'администратор',
        member: 'участник',
        restricted: 'ограничен',
        left: 'не в группе',
        kicked: 'удалён',
      },
    },
  };

  function groupStatus(chat, languageCode) {
    const language = (languageCode || 'en').toLowerCase().startsWith('ru') ? 'ru' : 'en';
    const words = HEADER_WORDS[language];
    const count = chat.members.filter((m) => m.status !== 'left' && m.status !== 'kicked').length;
    const form = new Intl.PluralRules(language).select(count);
    const members = `${new Intl.NumberFormat(language).format(count)} ${words.members[form] ?? words.members.other}`;
    return `${members} · ${words.bot(words.statuses[chat.botStatus] ?? chat.botStatus)}`;
  }

  function renderHeader() {
    const chat = currentChat();
    const avatar = $('chat-avatar');
    if (state.chatId === null) return;
    if (!chat || chat.chat.type === 'private') {
      $('chat-title').textContent = state.bot ? state.bot.first_name : 'Bot';
      $('chat-status').textContent = state.bot ? `@${state.bot.username} · bot` : 'bot';
      avatar.src = `${base}/playground/bot-avatar.svg`;
    } else {
      $('chat-title').textContent = chatTitle(chat);
      $('chat-status').textContent = groupStatus(chat, currentUser()?.language_code);
    }
    renderTopics(chat);
    renderMenuButton(chat);
  }

  function renderTopics(chat) {
    const bar = $('topic-bar');
    if (!chat?.chat.is_forum) {
      bar.hidden = true;
      return;
    }
    bar.hidden = false;
    const button = (label, threadId, extra) =>
      el(
        'button',
        {
          type: 'button',
          class: `${state.threadId === threadId ? 'active' : ''} ${extra || ''}`,
          'data-thread-id': threadId === null ? 'general' : threadId,
          onclick: () => {
            state.threadId = threadId;
            renderTopics(chat);
            loadMessages();
          },
        },
        label,
      );
    const unread = (threadId) => unreadBadge(chat.unread ? chat.unread.threads[threadId ?? 0] || 0 : 0);
    bar.replaceChildren(
      button(['# General', unread(null)], null),
      ...chat.topics.map((t) =>
        button(
          [`${t.is_closed ? '🔒 ' : '# '}${t.name}`, unread(t.message_thread_id)],
          t.message_thread_id,
          t.is_closed ? 'closed' : '',
        ),
      ),
      el('button', { type: 'button', onclick: createTopic }, '+ New topic'),
    );
  }

  function renderMenuButton(chat) {
    const button = $('menu-button');
    const menu = chat ? chat.menuButton : null;
    if (menu && menu.type === 'web_app') {
      button.hidden = false;
      button.textContent = menu.text || 'Open';
      button.onclick = () => openWebApp({ menu: true });
    } else {
      button.hidden = true;
    }
  }

  function senderName(m) {
    if (m.sender_chat && !m.from) return m.sender_chat.title;
    if (m.from && m.from.id === 777000 && m.sender_chat) return m.sender_chat.title;
    return m.from ? [m.from.first_name, m.from.last_name].filter(Boolean).join(' ') : '';
  }

  function serviceText(m) {
    const who = senderName(m);
    if (m.forum_topic_created) return `${who} created the topic "${m.forum_topic_created.name}"`;
    if (m.forum_topic_closed) return `${who} closed the topic`;
    if (m.forum_topic_reopened) return `${who} reopened the topic`;
    if (m.forum_topic_edited) return `${who} edited the topic`;
    if (m.new_chat_members)
      return `${m.new_chat_members.map((u) => u.first_name).join(', ')} joined the group`;
    return null;
  }

  function renderMessages() {
    const box = $('messages');
    const chat = currentChat();
    if (state.messages.length === 0) {
      const hint =
        !chat || chat.chat.type === 'private'
          ? 'No messages here yet. Send /start.'
          : 'No messages here yet.';
      box.replaceChildren(el('div', { class: 'empty', text: hint }));
      return;
    }
    const isGroup = chat && chat.chat.type !== 'private';
    const rows = state.messages.map((m) => {
      const service = serviceText(m);
      if (service) return el('div', { class: 'service', text: service });
      const fromBot = Boolean(m.from && state.bot && m.from.id === state.bot.id);
      const out = !fromBot && m.from && m.from.id === state.userId;
      const parts = [];
      if (isGroup && !out) parts.push(el('div', { class: 'sender', text: senderName(m) }));
      if (m.reply_to_message && !(m.reply_to_message.forum_topic_created && m.is_topic_message)) {
        const r = m.reply_to_message;
        parts.push(
          el('div', { class: 'reply', text: `${senderName(r)}: ${r.text || r.caption || '[media]'}` }),
        );
      }
      if (m.forward_origin) parts.push(el('div', { class: 'subtitle', text: 'Forwarded message' }));
      if (m.photo) {
        const largest = m.photo[m.photo.length - 1];
        parts.push(
          el('img', {
            class: 'photo',
            src: fileUrl(largest.file_id),
            alt: 'photo',
          }),
        );
      }
      if (m.document) {
        parts.push(
          el(
            'a',
            {
              class: 'document',
              href: fileUrl(m.document.file_id),
              target: '_blank',
              rel: 'noopener',
            },
            [
              el('span', { class: 'icon', text: '📄' }),
              el('span', {}, [
                el('div', { class: 'title', text: m.document.file_name || 'file' }),
                el('div', {
                  class: 'subtitle',
                  text: `${Math.max(1, Math.round((m.document.file_size || 0) / 1024))} KB`,
                }),
              ]),
            ],
          ),
        );
      }
      const text = m.text !== undefined ? m.text : m.caption;
      const entities = m.text !== undefined ? m.entities : m.caption_entities;
      if (text) parts.push(el('span', { class: 'text' }, renderEntities(text, entities)));
      const time = new Date(m.date * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      parts.unshift(el('span', { class: 'meta', text: `${m.edit_date ? 'edited ' : ''}${time}` }));
      const bubble = el(
        'div',
        { class: 'message', 'data-from': fromBot ? 'bot' : 'user', 'data-message-id': m.message_id },
        parts,
      );
      const column = [bubble];
      if (m.reply_markup?.inline_keyboard) column.push(renderInlineKeyboard(m));
      const avatar = fromBot ? botAvatar() : letterAvatar(senderName(m), m.from ? m.from.id : 0);
      return el('div', { class: `message-row${out ? ' out' : ''}` }, [
        avatar,
        el('div', { class: 'bubble-wrap' }, column),
      ]);
    });
    box.replaceChildren(...rows);
    box.scrollTop = box.scrollHeight;
  }

  function renderInlineKeyboard(m) {
    return el(
      'div',
      { class: 'inline-keyboard' },
      m.reply_markup.inline_keyboard.map((row) =>
        el(
          'div',
          { class: 'kb-row' },
          row.map((b) => {
            const kind = b.url ? '↗' : b.web_app ? '▣' : '';
            return el(
              'button',
              { type: 'button', class: 'inline-button', onclick: () => pressInline(m, b) },
              [b.text, kind ? el('span', { class: 'kind', text: kind }) : null],
            );
          }),
        ),
      ),
    );
  }

  function renderReplyKeyboard() {
    const box = $('reply-keyboard');
    const chat = currentChat();
    const keyboard = chat?.replyKeyboard;
    if (!keyboard?.keyboard) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.replaceChildren(
      ...keyboard.keyboard.map((row) =>
        el(
          'div',
          { class: 'kb-row' },
          row.map((b) =>
            el(
              'button',
              {
                type: 'button',
                onclick: () =>
                  b.web_app
                    ? openWebApp({ chatId: state.chatId, buttonText: b.text })
                    : b.request_chat
                      ? requestChat(b.text)
                      : sendText(b.text),
              },
              b.text,
            ),
          ),
        ),
      ),
    );
  }

  // ---- the "/" command menu -------------------------------------------------------------
  async function loadCommands() {
    if (state.userId === null) return;
    const chatId = state.chatId ?? state.userId;
    try {
      state.commands = await api(`/commands?userId=${state.userId}&chatId=${chatId}`);
    } catch {
      state.commands = [];
    }
  }

  /** Typing "/" shows the bot's commands (setMyCommands), filtered as the user types. */
  function renderCommandMenu() {
    const box = $('command-menu');
    const text = $('message-input').value;
    const typed = /^\/(\S*)$/.exec(text);
    const matches = typed
      ? state.commands.filter((c) => c.command.toLowerCase().startsWith(typed[1].toLowerCase()))
      : [];
    if (matches.length === 0) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    state.commandIndex = Math.min(state.commandIndex, matches.length - 1);
    box.hidden = false;
    box.replaceChildren(
      ...matches.map((c, i) =>
        el(
          'button',
          {
            type: 'button',
            role: 'option',
            class: `command-item${i === state.commandIndex ? ' selected' : ''}`,
            'data-command': c.command,
            onclick: () => chooseCommand(c.command),
          },
          [
            el('span', { class: 'command', text: `/${c.command}` }),
            el('span', { class: 'description', text: c.description }),
          ],
        ),
      ),
    );
  }

  function hideCommandMenu() {
    $('command-menu').hidden = true;
  }

  /** As in Telegram: tapping a command sends it. */
  async function chooseCommand(command) {
    $('message-input').value = '';
    hideCommandMenu();
    await sendText(`/${command}`);
  }

  // ---- actions ---------------------------------------------------------------------------
  async function openChat(chatId) {
    state.chatId = chatId;
    state.threadId = null;
    hideCommandMenu();
    await loadChats();
    await loadMessages();
  }

  async function joinChat(chatId) {
    try {
      await api(`/chats/${chatId}/members`, { method: 'POST', body: { userId: state.userId } });
      await openChat(chatId);
    } catch (error) {
      toast(error.message);
    }
  }

  /** Sends something as the current user, in the open chat and topic. */
  function postMessage(content) {
    return api('/messages', {
      method: 'POST',
      body: {
        userId: state.userId,
        chatId: state.chatId ?? undefined,
        threadId: state.threadId ?? undefined,
        ...content,
      },
    });
  }

  async function joinByLink(inviteLink) {
    if (state.userId === null) return;
    try {
      const result = await api('/invite-links/join', {
        method: 'POST',
        body: { userId: state.userId, inviteLink },
      });
      if (result.status === 'requested') toast('Join request sent: the bot decides');
      await loadChats();
      if (result.status !== 'requested') await openChat(result.chatId);
    } catch (error) {
      toast(error.message);
    }
  }

  /** A request_chat button: the person creates a group (with the bot in it) and shares it. */
  async function requestChat(buttonText) {
    if (state.userId === null) return;
    const title = window.prompt('Name of the new group', 'My study group');
    if (!title) return;
    try {
      await api('/request-chat', { method: 'POST', body: { userId: state.userId, buttonText, title } });
      $('reply-keyboard').hidden = true;
      await loadChats();
    } catch (error) {
      toast(error.message);
    }
  }

  async function sendText(text) {
    if (!text.trim() || state.userId === null) return;
    try {
      await postMessage({ text });
      const chat = currentChat();
      if (chat?.replyKeyboard?.one_time_keyboard) $('reply-keyboard').hidden = true;
      if (!currentChat()) await loadChats();
    } catch (error) {
      toast(error.message);
    }
  }

  async function pressInline(m, button) {
    try {
      if (button.callback_data !== undefined) {
        const result = await api('/callbacks', {
          method: 'POST',
          body: {
            userId: state.userId,
            chatId: state.chatId,
            messageId: m.message_id,
            data: button.callback_data,
          },
        });
        state.pressed.add(result.callbackQueryId);
      } else if (button.url) {
        window.open(button.url, '_blank', 'noopener');
      } else if (button.web_app) {
        await openWebApp({ chatId: state.chatId, messageId: m.message_id, buttonText: button.text });
      } else {
        toast('This kind of button is not available in the sandbox');
      }
    } catch (error) {
      toast(error.message);
    }
  }

  async function openWebApp(options) {
    try {
      const launch = await api('/web-app', { method: 'POST', body: { userId: state.userId, ...options } });
      $('webapp-iframe').src = launch.launchUrl;
      $('webapp-newtab').href = launch.launchUrl;
      $('webapp-title').textContent = new URL(launch.url).host;
      $('webapp').hidden = false;
    } catch (error) {
      toast(error.message);
    }
  }

  async function createTopic() {
    const name = prompt('Topic name');
    if (!name) return;
    try {
      const topic = await api(`/chats/${state.chatId}/topics`, {
        method: 'POST',
        body: { userId: state.userId, name },
      });
      state.threadId = topic.message_thread_id;
      await loadChats();
      await loadMessages();
    } catch (error) {
      toast(error.message);
    }
  }

  function readFile(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(',')[1] || '');
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  // ---- live updates ------------------------------------------------------------------------
  async function pollEvents() {
    for (;;) {
      try {
        const { events, lastSeq } = await api(`/events?after=${state.seq}&timeoutMs=25000`);
        state.seq = lastSeq;
        await handleEvents(events);
      } catch {
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  async function handleEvents(events) {
    let reloadMessages = false;
    let reloadChats = false;
    let reloadUsers = false;
    for (const e of events) {
      if (e.type === 'user') reloadUsers = true;
      if (e.type === 'chat') reloadChats = true;
      if (['message', 'edit', 'delete'].includes(e.type) && e.chatId === state.chatId) reloadMessages = true;
      if (e.type === 'message' && e.message.forum_topic_created) reloadChats = true;
      // Any new message may change an unread badge.
      if (e.type === 'message') reloadChats = true;
      if (e.type === 'chat_action' && e.chatId === state.chatId) {
        $('chat-status').textContent = e.action === 'typing' ? 'typing…' : `${e.action.replace(/_/g, ' ')}…`;
        clearTimeout(state.typingTimer);
        state.typingTimer = setTimeout(renderHeader, 5000);
      }
      if (e.type === 'callback_answer' && state.pressed.has(e.callbackQueryId)) {
        state.pressed.delete(e.callbackQueryId);
        if (e.answer.text) toast(e.answer.text, e.answer.show_alert);
        if (e.answer.url) window.open(e.answer.url, '_blank', 'noopener');
      }
    }
    if (reloadUsers) await loadUsers();
    if (reloadChats || reloadUsers) await loadChats();
    if (reloadMessages || reloadChats) await loadMessages();
  }

  // ---- wiring -------------------------------------------------------------------------------
  function wire() {
    $('composer').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const input = $('message-input');
      const text = input.value;
      input.value = '';
      hideCommandMenu();
      await sendText(text);
    });
    $('message-input').addEventListener('input', async (ev) => {
      // Fetched when "/" is typed: the bot may have changed its commands since.
      if (ev.target.value === '/') {
        state.commandIndex = 0;
        await loadCommands();
      }
      renderCommandMenu();
    });
    $('message-input').addEventListener('keydown', (ev) => {
      const box = $('command-menu');
      if (box.hidden) return;
      const items = box.querySelectorAll('.command-item');
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        ev.preventDefault();
        const step = ev.key === 'ArrowDown' ? 1 : -1;
        state.commandIndex = (state.commandIndex + step + items.length) % items.length;
        renderCommandMenu();
      } else if (ev.key === 'Tab') {
        // Tab completes the highlighted command (to add arguments); Enter sends what was typed.
        const chosen = items[state.commandIndex]?.dataset.command;
        if (chosen) {
          ev.preventDefault();
          $('message-input').value = `/${chosen} `;
          hideCommandMenu();
        }
      } else if (ev.key === 'Escape') {
        hideCommandMenu();
      }
    });
    document.addEventListener('visibilitychange', () => markRead());
    $('user-select').addEventListener('change', async (ev) => {
      state.userId = Number(ev.target.value);
      localStorage.setItem('botloom-sandbox-user', String(state.userId));
      renderUsers();
      await openChat(state.userId);
    });
    $('new-user-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const name = $('new-user-name').value.trim();
      if (!name) return;
      try {
        const language = $('new-user-language').value;
        const user = await api('/users', {
          method: 'POST',
          body: { first_name: name, language_code: language || undefined },
        });
        $('new-user-name').value = '';
        state.userId = user.id;
        localStorage.setItem('botloom-sandbox-user', String(user.id));
        await loadUsers();
        await openChat(user.id);
      } catch (error) {
        toast(error.message);
      }
    });
    $('blocked-toggle').addEventListener('change', async (ev) => {
      try {
        await api(`/users/${state.userId}/block`, { method: 'POST', body: { blocked: ev.target.checked } });
      } catch (error) {
        toast(error.message);
      }
    });
    $('new-chat-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const kind = $('new-chat-type').value;
      const title = $('new-chat-title').value.trim();
      const others = state.users.map((u) => u.id).filter((id) => id !== state.userId);
      try {
        const created = await api('/chats', {
          method: 'POST',
          body: {
            type: kind === 'forum' ? 'supergroup' : kind,
            isForum: kind === 'forum' || undefined,
            title,
            memberIds: [state.userId, ...others],
            ownerId: state.userId,
            discussionGroupTitle: kind === 'channel' ? `${title} chat` : undefined,
          },
        });
        $('new-chat-title').value = '';
        await openChat(created.chat.id);
      } catch (error) {
        toast(error.message);
      }
    });
    $('file-input').addEventListener('change', async (ev) => {
      const file = ev.target.files[0];
      ev.target.value = '';
      if (!file) return;
      const caption = $('message-input').value.trim() || undefined;
      $('message-input').value = '';
      const upload = { base64: await readFile(file), fileName: file.name, mimeType: file.type || undefined };
      const isPhoto = /^image\/(png|jpeg|gif|webp)$/.test(file.type);
      try {
        await postMessage({ caption, [isPhoto ? 'photo' : 'document']: upload });
      } catch (error) {
        toast(error.message);
      }
    });
    $('webapp-close').addEventListener('click', () => {
      $('webapp').hidden = true;
      $('webapp-iframe').src = 'about:blank';
    });
  }

  async function start() {
    wire();
    const info = await api('/bot');
    state.bot = info.bot;
    state.seq = info.lastSeq;
    $('bot-name').textContent = info.bot.first_name;
    await loadUsers();
    await openChat(state.userId);
    pollEvents();
  }

  start().catch((error) => toast(`Sandbox unavailable: ${error.message}`));
})();
