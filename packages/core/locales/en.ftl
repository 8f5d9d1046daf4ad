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

## Who answers (chat ownership)
core-start-footer = Send /help for every command.
core-start-footer-menu = Choose below who should answer your messages, or send /help for every command.
core-help-owner = Your messages now go to: { $name }.
core-help-owner-menu = Your messages now go to: { $name }. To talk to someone else, pick them in /start or send one of their commands.
core-owner-switched = You are now talking to: { $name }.
core-not-understood = I did not understand that. Send /help to see what I can do, or choose below.
core-unknown-command = I do not know the command { $command }. Send /help for the list of commands.
core-nothing-to-cancel = Nothing to cancel.

## /delete_my_data
core-command-delete-my-data = Delete all my data
core-delete-confirm = ⚠️ Delete ALL your data? This erases:
core-delete-warning = This cannot be undone.
core-delete-button-confirm = Yes, delete everything
core-delete-button-cancel = Cancel
core-delete-cancelled = Cancelled: nothing was deleted.
core-deleted = 🗑 All your data has been deleted.
core-delete-partial = Some of your data could not be deleted; please try again later. Still stored:
core-delete-nothing = This bot keeps no data about you.
