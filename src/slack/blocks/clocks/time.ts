// Times in messages: Slack's date token shows each reader their own time zone.

/** `<!date^…^{date_short_pretty} {time}|2026-11-02T09:00Z>` */
export function slackDate(ms: number): string {
  const fallback = `${new Date(ms).toISOString().slice(0, 16)}Z`;
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}
