# Сообщения ядра Botloom. Плагины называют ключи <plugin>-<key>; ядро — core-<key>.

## Ошибки
core-error-generic = Извините, у нас что-то пошло не так. Попробуйте ещё раз чуть позже.
    Код ошибки: { $id }
core-rate-limited = Вы отправляете сообщения слишком часто. Я снова отвечу примерно через минуту.
core-input-too-long = Сообщение слишком длинное (не больше { $max } символов). Пожалуйста, сократите его.
core-budget-exceeded = Дневной лимит ИИ исчерпан. Он обновится в { $resetAt } UTC; до тех пор я отвечаю только на простые команды.
core-action-expired = Эта кнопка больше не активна.

## /start и /help
core-start-greeting = Здравствуйте, { $name }! Вот что я умею:
core-start-greeting-anonymous = Здравствуйте! Вот что я умею:
core-help-title = Доступные команды:
core-help-empty = Команд пока нет.
core-help-footer = Чтобы сменить язык, отправьте /language.

## /language
core-language-prompt = Выберите язык:
core-language-changed = Язык переключён: русский.
core-language-name-en = English
core-language-name-ru = Русский

## Описания команд (меню команд Telegram)
core-command-start = Начать работу с ботом
core-command-help = Список команд
core-command-language = Сменить язык

## Кто отвечает (владелец чата)
core-start-footer = Все команды: /help.
core-start-footer-menu = Выберите ниже, кому адресовать сообщения, или отправьте /help, чтобы увидеть все команды.
core-help-owner = Сейчас ваши сообщения получает: { $name }.
core-help-owner-menu = Сейчас ваши сообщения получает: { $name }. Чтобы переключиться, выберите другой раздел в /start или отправьте одну из его команд.
core-owner-switched = Теперь вы общаетесь с разделом: { $name }.
core-not-understood = Я не понял сообщение. Отправьте /help, чтобы узнать, что я умею, или выберите ниже.
core-unknown-command = Я не знаю команду { $command }. Список команд: /help.
core-nothing-to-cancel = Отменять нечего.

## /delete_my_data
core-command-delete-my-data = Удалить все мои данные
core-delete-confirm = ⚠️ Удалить ВСЕ ваши данные? Будет удалено:
core-delete-warning = Это действие необратимо.
core-delete-button-confirm = Да, удалить всё
core-delete-button-cancel = Отмена
core-delete-cancelled = Отменено: ничего не удалено.
core-deleted = 🗑 Все ваши данные удалены.
core-delete-partial = Часть данных удалить не удалось; попробуйте позже. Ещё хранится:
core-delete-nothing = Этот бот не хранит данных о вас.
