memory-intro-auto-start = 🧠 I am your personal AI agent and remember you across sessions. Just write to me: if no session is open, I start one for you. /personalize sets my role, /memories shows what I remember.
memory-intro-offer = 🧠 I am your personal AI agent and remember you across sessions. Just write to me: if no session is open, I offer to start one. /personalize sets my role, /memories shows what I remember.
memory-intro-ignore = 🧠 I am your personal AI agent and remember you across sessions. Talk to me inside a session: /start_session starts one, /end_session saves it. /personalize sets my role, /memories shows what I remember.
memory-menu = 🧠 Personal AI agent
memory-user-data = Personal agent: your profile, sessions, messages, memories and token usage

memory-role-coder = 👩‍💻 Coder
memory-role-product_manager = 📈 Product manager
memory-role-assistant = 🗂 Personal assistant
memory-role-custom = ✍️ My own instruction
memory-language-auto = Same as my message
memory-language-en = English
memory-language-ru = Russian
memory-length-short = Short
memory-length-normal = Normal
memory-length-detailed = Detailed

memory-personalize-role-prompt = Which role should I take?
memory-personalize-custom-prompt = Write the instruction for my role in one message (up to { $limit } characters). Send /cancel to stop.
memory-personalize-custom-too-long = That is too long ({ $length } characters). Please keep it within { $limit }.
memory-personalize-language-prompt = In which language should I answer?
memory-personalize-length-prompt = How long should my answers be?
memory-personalize-use-buttons = Please choose with the buttons above, or send /cancel.
memory-personalize-cancelled = Personalization cancelled; nothing changed.
memory-personalize-stopped-unchanged = Personalization stopped; nothing changed.
memory-personalize-stopped-kept = Personalization stopped. I kept what you already chose: { $kept }. Everything else is as before; send /personalize to change it.
memory-personalize-kept-role = role — { $value }
memory-personalize-kept-language = answer language — { $value }
memory-personalize-saved = ✅ Saved.

memory-profile-body =
    Role: { $role }
    Answer language: { $language }
    Answer length: { $length }
memory-profile = 👤 Your agent profile
    { memory-profile-body }
memory-profile-custom = Instruction: { $instruction }
memory-profile-none = You have not personalised me yet; I act as a personal assistant. Use the button to change that.
memory-button-change = ✏️ Change

memory-session-started = 🚀 New session started. Write your first message.
memory-session-auto-started = 🚀 I started a new session for this conversation (/end_session to finish it).
memory-session-previous-saved = The previous session "{ $title }" was saved to memory.
memory-session-ended = 🛑 Session "{ $title }" ended. { $count ->
    [0] There was nothing new to remember.
    [one] I saved one memory from it.
   *[other] I saved { $count } memories from it.
    }
memory-session-ended-empty = 🛑 Session ended. There was nothing to remember.
memory-session-ended-pending = 🛑 Session ended. I could not summarise it right now; I will save it to memory later. Nothing is lost.
memory-session-idle-ended = 💤 Your session "{ $title }" ended after { $minutes } minutes without messages. { $count ->
    [0] There was nothing new to remember.
    [one] I saved one memory from it.
   *[other] I saved { $count } memories from it.
    }
memory-session-idle-ended-pending = 💤 Your session ended after { $minutes } minutes without messages. I will save it to memory later.
memory-no-active-session = There is no active session. Start one with /start_session, or just write to me.
memory-offer-session = There is no active session. Start one?
memory-button-start-session = 🚀 Start a session

memory-sessions-title = 📋 Your sessions{ $pages ->
    [1] {""}
   *[other] {" "}(page { $page } of { $pages })
    }:
memory-sessions-empty = You have no sessions yet. Start one with /start_session.
memory-session-active = active
memory-session-untitled = Untitled
memory-button-prev = ◀️ Back
memory-button-next = Next ▶️
memory-session-view =
    📝 { $title }
    { $started } — { $ended } · { $count ->
        [one] 1 message
       *[other] { $count } messages
    }

    { $summary }
memory-session-no-summary = (no summary yet)
memory-session-still-active = (the session is still active)

memory-memories-title = 🧠 What I remember about you ({ $total ->
    [one] 1 memory
   *[other] { $total } memories
    }{ $pages ->
    [1] {""}
   *[other] , page { $page } of { $pages }
    }). Tap one to make me forget it.
memory-memories-empty = I do not remember anything about you yet. Memories are made when a session ends.
memory-button-forget-all = 🗑 Forget everything
memory-forget-all-confirm = Forget everything I remember about you? Your sessions stay; this cannot be undone.
memory-button-confirm-forget-all = Yes, forget everything
memory-button-cancel = Cancel
memory-forgot-one = Forgotten: { $text }
memory-forgot-all = Done: I forgot { $count ->
    [one] one memory
   *[other] { $count } memories
    }.
memory-cancelled = Cancelled.
memory-not-found = That item no longer exists.
memory-action-expired = This button is no longer valid.

memory-export-caption = 📥 All your data: profile, sessions, messages, memories and usage.

memory-usage =
    📊 Tokens used today: { $used }
    Daily limit: { $limit }
    Remaining: { $remaining }
    The limit resets at { $resets } (UTC).
memory-usage-unlimited =
    📊 Tokens used today: { $used }
    There is no daily limit.

memory-budget-exceeded = ⏳ You have used today's token limit. It resets at { $resets } (UTC). Your message is saved; send it again after the reset.
memory-llm-unavailable = 😔 Sorry, the AI service is unavailable right now. Your message is saved; please try again in a minute.
memory-llm-failed = 😔 Sorry, something went wrong while answering. Your message is saved; please try again.
memory-input-too-long = Your message is too long ({ $length } characters). Please keep it within { $limit }.
memory-input-unsupported = I can only read text messages for now.
memory-offline-note = (offline mode: answered without a language model)
