sales-intro = 🎓 Course advisor: I tell you about our online course and help you decide whether it fits you. I am a bot; a manager can join at any time.
sales-menu = 🎓 Course advisor
sales-user-data = Course advisor: your conversations with it, your questionnaire answers and your progress through them
sales-stopped = Understood, I have stopped. I will not write to you again unless you write first.
sales-nothing-to-stop = There is no conversation with the course advisor to stop.
sales-script-unavailable = Sorry, this offer is not available right now. Please try again later.
sales-message-too-long = Your message is too long (at most { $max } characters). Please shorten it.
sales-text-only = I can only read text messages here.
sales-unavailable = Sorry, I cannot answer right now. Your message is saved, and I or a manager will get back to you.
sales-budget-exceeded = I have reached my limit for today. Your message is saved; a manager will get back to you.
sales-education-manager = Great! A manager will contact you shortly to add you to a study group.
sales-education-no-group = Great! All study groups are full at the moment; a manager will contact you as soon as a place is free.
sales-education-invited = Great! Here is your personal invitation to the study group (it works once): { $link }
sales-operator-message = 👤 Manager: { $text }

## Education groups (Script #2)
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

## Alerts to sales managers (managerChatIds)
sales-manager-alert =
    🔔 A client agreed to join and needs a manager: { $why }
    Client: Telegram id { $userId } (tg://user?id={ $userId })
    Script: { $script } v{ $version }, language { $locale }
    Their last message: { $last }
    Conversation: { $conversationId } (admin panel → Sales → Conversations)
sales-manager-why-off = education groups are turned off, so add them to a group yourself.
sales-manager-why-no-group = no study group is free; register a pool group or add them yourself.
sales-manager-why-failed = the study group invite failed (see the logs); add them yourself.
