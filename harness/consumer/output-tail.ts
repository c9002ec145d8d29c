/**
 * Keeps the last lines a process wrote, bounded in lines and bytes, so a
 * consumer that prints megabytes (or one endless line) cannot exhaust the
 * harness's memory.
 */
export class OutputTail {
  private readonly lines: string[] = [];
  private partial = "";
  private listeners: Array<(line: string) => void> = [];
  /** Bytes received in total, including what was dropped. */
  bytesSeen = 0;

  constructor(
    /** Lines kept. */
    private readonly maxLines = 200,
    /** Maximum length of a kept line; longer lines are cut and marked. */
    private readonly maxLineBytes = 8_192,
  ) {}

  push(chunk: Buffer): void {
    this.bytesSeen += chunk.length;
    const text = this.partial + chunk.toString("utf8");
    const parts = text.split("\n");
    this.partial = parts.pop() ?? "";
    if (this.partial.length > this.maxLineBytes) {
      // An endless line: keep its head, drop the rest until the next newline.
      this.addLine(this.partial);
      this.partial = "";
    }
    for (const line of parts) this.addLine(line);
  }

  /** Calls `listener` for each complete line from now on; returns a function that removes it. */
  onLine(listener: (line: string) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Returns the last `count` lines, joined by newlines, including an unfinished last line. */
  tail(count = 40): string {
    const all = this.partial === "" ? this.lines : [...this.lines, this.partial];
    return all.slice(-count).join("\n");
  }

  private addLine(raw: string): void {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const kept = line.length > this.maxLineBytes ? `${line.slice(0, this.maxLineBytes)}… [line cut at ${this.maxLineBytes} characters]` : line;
    this.lines.push(kept);
    if (this.lines.length > this.maxLines) this.lines.shift();
    for (const listener of this.listeners) listener(kept);
  }
}
