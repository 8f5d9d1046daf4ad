/** Test data for segmentation: a transactions CSV the plugin imports and segments. */

/** Transactions of 48 cards with four distinct spending habits, for a real segmentation run. */
export function transactionsCsv(): string {
  const lines = ['card_id,timestamp,amount,currency,mcc,online,city,country'];
  const habits = [
    { mcc: 5411, amount: 40, online: false, city: 'Moscow' },
    { mcc: 5812, amount: 15, online: false, city: 'Kazan' },
    { mcc: 5732, amount: 900, online: true, city: 'Moscow' },
    { mcc: 4511, amount: 450, online: true, city: 'Sochi' },
  ];
  for (let card = 0; card < 48; card++) {
    const habit = habits[card % habits.length]!;
    for (let tx = 0; tx < 6 + (card % 5); tx++) {
      const day = String(1 + ((card + tx * 3) % 28)).padStart(2, '0');
      const amount = (habit.amount * (1 + ((card * 7 + tx * 13) % 10) / 10)).toFixed(2);
      lines.push(
        `C${String(card).padStart(4, '0')},2024-05-${day}T12:00:00Z,${amount},RUB,${habit.mcc},${habit.online},${habit.city},RU`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
