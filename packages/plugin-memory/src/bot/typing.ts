/**
 * Shows "typing…" while `work` runs: Telegram clears the indicator after about 5 seconds, so
 * it is sent again every `intervalMs` until the work is done.
 */
export async function withTypingIndicator<T>(
  sendTyping: () => Promise<unknown>,
  intervalMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const send = () => {
    sendTyping().catch(() => {
      // A missed indicator is cosmetic; never fail the reply because of it.
    });
  };
  send();
  const timer = setInterval(send, intervalMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
