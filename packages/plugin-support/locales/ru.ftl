# Служба поддержки (plugin-support). Все ключи начинаются с support-.

## Чат с клиентом
support-welcome = Здравствуйте! Я ассистент поддержки. Спросите меня о наших услугах; если я не смогу помочь, подключится менеджер.
support-intro = 💬 Поддержка: на вопросы о наших услугах отвечаем по базе знаний, при необходимости подключается менеджер. /support — написать нам.
support-menu = 💬 Поддержка
support-user-data = Поддержка: ваши обращения и все сообщения в них, включая копии в чате менеджеров
support-open-web-app = Открыть чат поддержки
support-web-app-hint = Также можно написать нам в веб-приложении:
support-cannot-answer = Я не могу на это ответить. Позвать менеджера?
support-model-unavailable = Извините, наш ассистент сейчас недоступен. Я могу сразу позвать менеджера; иначе отвечу на ваш вопрос здесь, как только ассистент вернётся.
support-model-still-unavailable = Ассистент всё ещё недоступен, поэтому я передаю ваш вопрос менеджеру.
support-live-data = Наличие и бронирования для вас проверит менеджер. Позвать менеджера?
support-smalltalk-greeting = Здравствуйте! Спросите меня о наших услугах, ценах и правилах, и я сразу отвечу.
support-smalltalk-thanks = Пожалуйста! Могу ли я ещё чем-то помочь?
support-smalltalk-goodbye = До свидания! Пишите, если появятся вопросы.
support-file-needs-manager = Я не умею читать файлы. Позвать менеджера, чтобы он посмотрел?
support-message-too-long = Сообщение слишком длинное (не больше { $max } символов). Пожалуйста, сократите его.
support-handoff-started = Я позвал менеджера, обращение №{ $ticket }. Он ответит прямо здесь.
support-handoff-queued = Ваше обращение №{ $ticket } сохранено. Менеджеры сейчас недоступны; они ответят, как только смогут.
support-handoff-already = Менеджер уже занимается вашим обращением №{ $ticket }.
support-handed-back = Вам снова отвечает ассистент (обращение №{ $ticket }). Задайте вопрос; если понадобится человек, позовите менеджера.
support-manager-says = 👤 { $name }: { $text }
support-manager-sent-file = (менеджер отправил файл в ваш чат с ботом)
support-closed-by-manager = Менеджер закрыл ваше обращение №{ $ticket }. Оцените, пожалуйста, нашу помощь от 1 до 5.
support-closed-by-you = Рад, что смог помочь! Обращение №{ $ticket } закрыто. Оцените, пожалуйста, нашу помощь от 1 до 5.
support-nothing-open = У вас нет открытых обращений. Просто напишите свой вопрос.
support-rating-thanks = Спасибо за оценку!
support-rating-unavailable = Это обращение уже нельзя оценить.
support-sent-to-manager = Передал менеджеру. Ответ придёт прямо сюда.
support-rated = Обращение №{ $ticket } закрыто. Спасибо, вы оценили нашу помощь на { $rating } ⭐.
support-error = Извините, что-то пошло не так. Попробуйте ещё раз.

## Кнопки
support-button-satisfied = ✅ Вопрос решён
support-button-call-manager = 🙋 Позвать менеджера
support-button-close-ticket = ✖️ Закрыть обращение
support-button-hand-back = 🤖 Вернуть ассистенту
support-button-stale = Эта кнопка уже неактуальна. Ничего не изменено.

## Группа менеджеров
support-topic-customer-info =
    🎫 Обращение №{ $ticket }
    Клиент: { $customer }
    Идентификатор в Телеграме: { $id }
    Язык: { $language }
    Канал: { $channel }
    Пишите в эту тему, чтобы ответить клиенту; /bot возвращает обращение ассистенту, /close закрывает его.
support-topic-customer-with-username = { $name } (@{ $username })
support-topic-language-unknown = не указан
support-topic-channel-bot = чат с ботом
support-topic-channel-webapp = веб-приложение
support-transcript-title = 📝 Переписка до сих пор:
support-transcript-customer = Клиент
support-transcript-ai = Ассистент
support-transcript-manager = Менеджер
support-transcript-system = Система
support-customer-says = 💬 { $name }: { $text }
support-customer-file = 📎 { $name } отправил файл:
support-not-a-manager = ⛔ Действовать в темах обращений могут только менеджеры. Ваше сообщение клиенту не передано.
support-topic-ticket-closed = Обращение №{ $ticket } закрыто; сообщения отсюда больше не доходят до клиента.
support-topic-closed = ✅ Обращение №{ $ticket } закрыто. Клиента попросили поставить оценку.
support-topic-closed-by-customer = ✅ Клиент закрыл обращение №{ $ticket } (вопрос решён).
support-topic-not-a-ticket = Эта тема не относится к обращению.
support-topic-handed-back = 🤖 Обращение №{ $ticket } возвращено ассистенту ({ $by }). Сообщения клиента больше не приходят сюда, пока он снова не позовёт менеджера.
support-handed-back-by-admin = { $name } (панель администратора)
support-topic-ticket-with-assistant = Обращение №{ $ticket } сейчас у ассистента: ваше сообщение клиенту не передано. Оно вернётся сюда, когда клиент снова позовёт менеджера.
support-topic-already-with-assistant = Обращение №{ $ticket } уже у ассистента.
support-topic-handoff-again = 🙋 Клиент снова зовёт менеджера (обращение №{ $ticket }). Ниже переписка после возврата ассистенту.

## Команды администратора
support-admin-only = Эта команда доступна только администратору поддержки.
support-addmanager-usage = Использование: /addmanager ID ИМЯ
support-manager-added = Менеджер { $name } ({ $id }) добавлен.
support-manager-renamed = Менеджер { $id } теперь называется { $name }.
support-removemanager-usage = Использование: /removemanager ID
support-manager-removed = Менеджер { $id } удалён.
support-manager-not-found = { $id } не является менеджером.
support-managers-title = Менеджеры:
support-managers-empty = Менеджеров пока нет. Добавьте: /addmanager ID ИМЯ
support-admin-group-problem =
    ⚠️ Поддержка: группу менеджеров невозможно использовать, обращения не доходят до менеджеров.
    Проблема: { $problem }
    Укажите в MANAGER_GROUP_CHAT_ID супергруппу с темами и сделайте бота администратором с правом «Управление темами».
