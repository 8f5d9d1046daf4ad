instagram-user-data = Агент Instagram: о вашем аккаунте Telegram ничего не хранится (переписки Instagram удаляются по id пользователя Instagram в панели)
