# Commentator (plugin-commentator). Every key starts with commentator-.

commentator-user-data = Commentator: your replies to our comments and the messages you wrote to our accounts

## Review chat
commentator-review-draft =
    📝 Draft #{ $id } for { $channel } (relevance { $relevance }){ $offline }

    Post:
    { $post }

    Comment:
    { $draft }
commentator-review-offline-mark = {" "}· offline draft, no model was used
commentator-review-approve = ✅ Approve
commentator-review-edit = ✏️ Edit
commentator-review-reject = ❌ Reject
commentator-review-status-scheduled = ✅ Approved by { $by }, scheduled for { $due }
commentator-review-status-auto = ✅ Approved automatically (the channel's auto-approval), scheduled for { $due }
commentator-review-by-panel = { $name } (admin panel)
commentator-review-status-sent = 📨 Sent
commentator-review-status-rejected = ❌ Rejected by { $by }
commentator-review-status-failed = ⚠️ Not sent: { $reason }
commentator-review-not-allowed = Only the operator's reviewers can decide on drafts.
commentator-review-done = Done.
commentator-review-already = This draft was already decided.
commentator-review-edit-hint = Reply to the draft message with the new text.
commentator-review-edited = Draft #{ $id } updated.
commentator-review-edit-refused = Not changed: { $reason }
commentator-alert-paused = ⚠️ Account { $account } is paused: { $reason }. Resume it in the admin panel once you have checked it.
