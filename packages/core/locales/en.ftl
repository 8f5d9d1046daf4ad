# Core messages of Botloom. Plugins name their keys <plugin>-<key>; core uses core-<key>.

## Errors
core-error-generic = Sorry, something went wrong on our side. Please try again in a moment.
    Error ID: { $id }
core-rate-limited = You are sending messages too fast. I will answer again in about a minute.
core-input-too-long = Your message is too long (at most { $max } characters). Please shorten it.
core-budget-exceeded = You have used today's AI allowance. It renews at { $resetAt } UTC; until then I can only answer simple commands.
core-action-expired = This button is no longer active.

## /start and /help
core-start-greeting = Hello, { $name }! Here is what I can do:
core-start-greeting-anonymous = Hello! Here is what I can do:
core-help-title = Available commands:
core-help-empty = There are no commands yet.
core-help-footer = Send /language to change the language.

## /language
core-language-prompt = Choose your language:
core-language-changed = Language set: English.
core-language-name-en = English
core-language-name-ru = Русский

## Command descriptions (the command menu of Telegram)
core-command-start = Start the bot
core-command-help = List of commands
core-command-language = Change the language
