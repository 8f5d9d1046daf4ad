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
