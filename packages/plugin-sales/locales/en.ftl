# Education groups (src/education). Assistant texts must start with 🤖 and say it is a bot.
sales-edu-invite = Here is your personal invite to the study group "{ $title }". The link works once, for you only: { $link }
sales-edu-create-group = All study groups are busy right now. You can open your own in two taps: press the button below and create a group; I join it as an admin and start the first lesson there.
sales-edu-create-group-button = Create my study group
sales-edu-no-group = All study groups are busy right now. Our team has been told and will write to you when one is free.
sales-edu-group-ready = Your group "{ $title }" is ready: the first lesson starts there now.
sales-edu-group-unusable = I cannot run the lesson in that group: I need to be an admin there with the right to invite users. Please press the button again and create a new group.
sales-edu-assistant-example =
    🤖 Assistant (a bot, not a student) · worked example:
    { $text }
sales-edu-assistant-question =
    🤖 Assistant (a bot, not a student) · a question newcomers often ask:
    { $text }
sales-edu-example-by-bot =
    Worked example:
    { $text }
sales-edu-question-by-bot =
    A question newcomers often ask:
    { $text }
sales-edu-assignment = 📝 Assignment: { $task }
sales-edu-moving-on = Let's move on; you can come back to this assignment any time.
sales-edu-question-noted = Good question. The course author answers open questions at the start of the next lesson.
sales-edu-user-data = your messages in study groups and which group you were invited to
