/**
 * ISO text of a timestamp, remembered: the events of a batch share a few
 * instants, and toISOString is costly by the thousand.
 */
export function isoWriter(): (date: Date) => string {
  const seen = new Map<number, string>();
  return (date) => {
    const ms = date.getTime();
    let text = seen.get(ms);
    if (text === undefined) {
      text = date.toISOString();
      seen.set(ms, text);
    }
    return text;
  };
}
