# Support desk (plugin-support). Every key starts with support-.

## Customer chat
support-welcome = Hi! I am the support assistant. Ask me anything about our services; if I cannot help, a manager will.
support-intro = 💬 Support desk: questions about our services are answered from our knowledge base, and a manager steps in when needed. /support to write to us.
support-menu = 💬 Support desk
support-user-data = Support desk: your tickets and every message in them, also the copies in the managers' chat
support-open-web-app = Open the support chat
support-web-app-hint = You can also chat with us in the web app:
support-cannot-answer = I can't answer that, shall I call a manager?
support-model-unavailable = Sorry, our assistant is unavailable right now. I can call a manager for you now; otherwise I will answer your question here as soon as the assistant is back.
support-model-still-unavailable = Our assistant is still unavailable, so I am passing your question to a manager.
support-live-data = A manager will check availability and bookings for you. Shall I call a manager?
support-smalltalk-greeting = Hello! Ask me about our services, prices and rules, and I'll answer right away.
support-smalltalk-thanks = You're welcome! Anything else I can help with?
support-smalltalk-goodbye = Goodbye! Write any time you have a question.
support-file-needs-manager = I can't read files myself. Shall I call a manager to look at it?
support-message-too-long = Your message is too long (at most { $max } characters). Please shorten it.
support-handoff-started = I've called a manager, ticket #{ $ticket }. They will reply right here.
support-handoff-queued = Your request #{ $ticket } is saved. Managers are not reachable right now; they will answer as soon as they are.
support-handoff-already = A manager is already handling your request #{ $ticket }.
support-handed-back = The assistant is answering you again in request #{ $ticket }. Ask your question; if you need a person, call a manager.
support-manager-says = 👤 { $name }: { $text }
support-manager-sent-file = (the manager sent a file to your chat with the bot)
support-closed-by-manager = The manager has closed your request #{ $ticket }. How would you rate our help, from 1 to 5?
support-closed-by-you = Glad I could help! Request #{ $ticket } is closed. How would you rate our help, from 1 to 5?
support-nothing-open = You have no open request. Just write your question.
support-rating-thanks = Thank you for your rating!
support-rating-unavailable = This request can no longer be rated.
support-sent-to-manager = Sent to the manager. Their reply will come right here.
support-rated = Request #{ $ticket } is closed. Thank you, you rated our help { $rating } ⭐.
support-error = Sorry, something went wrong. Please try again.

## Buttons
support-button-satisfied = ✅ I'm satisfied
support-button-call-manager = 🙋 Call a manager
support-button-close-ticket = ✖️ Close ticket
support-button-hand-back = 🤖 Back to the assistant
support-button-stale = This button no longer applies. Nothing was changed.

## Manager group
support-topic-customer-info =
    🎫 Ticket #{ $ticket }
    Customer: { $customer }
    Telegram id: { $id }
    Language: { $language }
    Channel: { $channel }
    Write in this topic to answer the customer; /bot hands the ticket back to the assistant, /close closes it.
support-topic-customer-with-username = { $name } (@{ $username })
support-topic-language-unknown = not given
support-topic-channel-bot = bot chat
support-topic-channel-webapp = web app
support-transcript-title = 📝 Conversation so far:
support-transcript-customer = Customer
support-transcript-ai = Assistant
support-transcript-manager = Manager
support-transcript-system = System
support-customer-says = 💬 { $name }: { $text }
support-customer-file = 📎 { $name } sent a file:
support-not-a-manager = ⛔ Only managers can act in ticket topics. Your message was not forwarded to the customer.
support-topic-ticket-closed = Ticket #{ $ticket } is closed; messages here no longer reach the customer.
support-topic-closed = ✅ Ticket #{ $ticket } is closed. The customer was asked for a rating.
support-topic-closed-by-customer = ✅ The customer closed ticket #{ $ticket } (satisfied).
support-topic-not-a-ticket = This topic does not belong to a ticket.
support-topic-handed-back = 🤖 { $by } handed ticket #{ $ticket } back to the assistant. The customer's messages no longer come here until they call a manager again.
support-handed-back-by-admin = { $name } (admin panel)
support-topic-ticket-with-assistant = Ticket #{ $ticket } is with the assistant now: your message did not reach the customer. It comes back here when the customer calls a manager again.
support-topic-already-with-assistant = Ticket #{ $ticket } is already with the assistant.
support-topic-handoff-again = 🙋 The customer called a manager again (ticket #{ $ticket }). The conversation since the hand-back follows.

## Admin commands
support-admin-only = This command is for the support admin only.
support-addmanager-usage = Usage: /addmanager ID NAME
support-manager-added = Manager { $name } ({ $id }) added.
support-manager-renamed = Manager { $id } is now called { $name }.
support-removemanager-usage = Usage: /removemanager ID
support-manager-removed = Manager { $id } removed.
support-manager-not-found = { $id } is not a manager.
support-managers-title = Managers:
support-managers-empty = There are no managers yet. Add one with /addmanager ID NAME.
support-admin-group-problem =
    ⚠️ Support: the manager group cannot be used, so handoffs do not reach managers.
    Problem: { $problem }
    Set MANAGER_GROUP_CHAT_ID to a forum supergroup and make the bot an admin with the "Manage topics" right.
