instagram-user-data = Instagram agent: nothing about your Telegram account (Instagram conversations are erased by Instagram user id from the admin panel)
