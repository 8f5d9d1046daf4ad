memory-intro-auto-start = 🧠 Я ваш персональный AI-агент и помню вас между сессиями. Просто напишите мне: если сессия не открыта, я начну её сам. /personalize — настроить мою роль, /memories — что я помню.
memory-intro-offer = 🧠 Я ваш персональный AI-агент и помню вас между сессиями. Просто напишите мне: если сессия не открыта, я предложу её начать. /personalize — настроить мою роль, /memories — что я помню.
memory-intro-ignore = 🧠 Я ваш персональный AI-агент и помню вас между сессиями. Со мной говорят внутри сессии: /start_session — начать, /end_session — сохранить. /personalize — настроить мою роль, /memories — что я помню.
memory-menu = 🧠 Персональный AI-агент
memory-user-data = Персональный агент: ваш профиль, сессии, сообщения, воспоминания и расход токенов

memory-role-coder = 👩‍💻 Кодер
memory-role-product_manager = 📈 Продакт-менеджер
memory-role-assistant = 🗂 Личный ассистент
memory-role-custom = ✍️ Своя инструкция
memory-language-auto = Как в моём сообщении
memory-language-en = Английский
memory-language-ru = Русский
memory-length-short = Коротко
memory-length-normal = Обычно
memory-length-detailed = Подробно

memory-personalize-role-prompt = Какую роль мне взять?
memory-personalize-custom-prompt = Напишите инструкцию для моей роли одним сообщением (до { $limit } символов). /cancel — отменить.
memory-personalize-custom-too-long = Слишком длинно ({ $length } символов). Уложитесь, пожалуйста, в { $limit }.
memory-personalize-language-prompt = На каком языке мне отвечать?
memory-personalize-length-prompt = Насколько подробно отвечать?
memory-personalize-use-buttons = Выберите вариант кнопками выше или отправьте /cancel.
memory-personalize-cancelled = Настройка отменена, ничего не изменилось.
memory-personalize-stopped-unchanged = Настройка прервана, ничего не изменилось.
memory-personalize-stopped-kept = Настройка прервана. Я сохранил то, что вы уже выбрали: { $kept }. Остальное осталось как было; /personalize — изменить.
memory-personalize-kept-role = роль — { $value }
memory-personalize-kept-language = язык ответов — { $value }
memory-personalize-saved = ✅ Сохранено.

memory-profile-body =
    Роль: { $role }
    Язык ответов: { $language }
    Длина ответов: { $length }
memory-profile = 👤 Профиль вашего агента
    { memory-profile-body }
memory-profile-custom = Инструкция: { $instruction }
memory-profile-none = Вы ещё не настроили меня; я работаю как личный ассистент. Нажмите кнопку, чтобы изменить.
memory-button-change = ✏️ Изменить

memory-session-started = 🚀 Новая сессия начата. Напишите первое сообщение.
memory-session-auto-started = 🚀 Я начал новую сессию для этого разговора (/end_session — завершить).
memory-session-previous-saved = Предыдущая сессия «{ $title }» сохранена в память.
memory-session-ended = 🛑 Сессия «{ $title }» завершена. { $count ->
    [0] Нового для запоминания не нашлось.
    [one] Я сохранил в память { $count } запись.
    [few] Я сохранил в память { $count } записи.
   *[many] Я сохранил в память { $count } записей.
    }
memory-session-ended-empty = 🛑 Сессия завершена. Запоминать было нечего.
memory-session-ended-pending = 🛑 Сессия завершена. Сейчас не получилось подвести итог; я сохраню её в память позже. Ничего не потеряно.
memory-session-idle-ended = 💤 Ваша сессия «{ $title }» завершена после { $minutes } мин. без сообщений. { $count ->
    [0] Нового для запоминания не нашлось.
    [one] Я сохранил в память { $count } запись.
    [few] Я сохранил в память { $count } записи.
   *[many] Я сохранил в память { $count } записей.
    }
memory-session-idle-ended-pending = 💤 Ваша сессия завершена после { $minutes } мин. без сообщений. Я сохраню её в память позже.
memory-no-active-session = Активной сессии нет. Начните её командой /start_session или просто напишите мне.
memory-offer-session = Активной сессии нет. Начать?
memory-button-start-session = 🚀 Начать сессию

memory-sessions-title = 📋 Ваши сессии{ $pages ->
    [1] {""}
   *[other] {" "}(страница { $page } из { $pages })
    }:
memory-sessions-empty = Сессий пока нет. Начните с /start_session.
memory-session-active = активна
memory-session-untitled = Без названия
memory-button-prev = ◀️ Назад
memory-button-next = Далее ▶️
memory-session-view =
    📝 { $title }
    { $started } — { $ended } · { $count } { $count ->
        [one] сообщение
        [few] сообщения
       *[many] сообщений
    }

    { $summary }
memory-session-no-summary = (итога пока нет)
memory-session-still-active = (сессия ещё активна)

memory-memories-title = 🧠 Что я о вас помню ({ $total } { $total ->
    [one] запись
    [few] записи
   *[many] записей
    }{ $pages ->
    [1] {""}
   *[other] , страница { $page } из { $pages }
    }). Нажмите на запись, чтобы я её забыл.
memory-memories-empty = Я пока ничего о вас не помню. Воспоминания появляются, когда сессия завершается.
memory-button-forget-all = 🗑 Забыть всё
memory-forget-all-confirm = Забыть всё, что я о вас помню? Сессии останутся; отменить это нельзя.
memory-button-confirm-forget-all = Да, забыть всё
memory-button-cancel = Отмена
memory-forgot-one = Забыл: { $text }
memory-forgot-all = Готово: я забыл { $count } { $count ->
    [one] запись
    [few] записи
   *[many] записей
    }.
memory-cancelled = Отменено.
memory-not-found = Этого пункта уже нет.
memory-action-expired = Эта кнопка больше не действует.

memory-export-caption = 📥 Все ваши данные: профиль, сессии, сообщения, воспоминания и расход токенов.

memory-usage =
    📊 Использовано токенов сегодня: { $used }
    Дневной лимит: { $limit }
    Осталось: { $remaining }
    Лимит обновится в { $resets } (UTC).
memory-usage-unlimited =
    📊 Использовано токенов сегодня: { $used }
    Дневного лимита нет.

memory-budget-exceeded = ⏳ Дневной лимит токенов исчерпан. Он обновится в { $resets } (UTC). Ваше сообщение сохранено; отправьте его снова после обновления.
memory-llm-unavailable = 😔 Извините, AI-сервис сейчас недоступен. Ваше сообщение сохранено; попробуйте ещё раз через минуту.
memory-llm-failed = 😔 Извините, при ответе что-то пошло не так. Ваше сообщение сохранено; попробуйте ещё раз.
memory-input-too-long = Сообщение слишком длинное ({ $length } символов). Уложитесь, пожалуйста, в { $limit }.
memory-input-unsupported = Пока я понимаю только текстовые сообщения.
memory-offline-note = (офлайн-режим: ответ без языковой модели)
