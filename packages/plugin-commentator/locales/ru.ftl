# Комментатор (plugin-commentator). Все ключи начинаются с commentator-.

commentator-user-data = Комментатор: ваши ответы на наши комментарии и сообщения, которые вы написали нашим аккаунтам

## Чат проверки
commentator-review-draft =
    📝 Черновик #{ $id } для { $channel } (релевантность { $relevance }){ $offline }

    Пост:
    { $post }

    Комментарий:
    { $draft }
commentator-review-offline-mark = {" "}· офлайн-черновик, без модели
commentator-review-approve = ✅ Одобрить
commentator-review-edit = ✏️ Изменить
commentator-review-reject = ❌ Отклонить
commentator-review-status-scheduled = ✅ Одобрил(а) { $by }, отправка { $due }
commentator-review-status-auto = ✅ Одобрено автоматически (автоодобрение канала), отправка { $due }
commentator-review-by-panel = { $name } (панель управления)
commentator-review-status-sent = 📨 Отправлен
commentator-review-status-rejected = ❌ Отклонил(а) { $by }
commentator-review-status-failed = ⚠️ Не отправлен: { $reason }
commentator-review-not-allowed = Решать по черновикам могут только проверяющие оператора.
commentator-review-done = Готово.
commentator-review-already = По этому черновику уже принято решение.
commentator-review-edit-hint = Ответьте на сообщение с черновиком новым текстом.
commentator-review-edited = Черновик #{ $id } обновлён.
commentator-review-edit-refused = Не изменено: { $reason }
commentator-alert-paused = ⚠️ Аккаунт { $account } приостановлен: { $reason }. Возобновите его в панели после проверки.
