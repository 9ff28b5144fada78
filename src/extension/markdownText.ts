/** Record and runbook text inside Markdown tooltips: escaped so a title cannot become a link, image or HTML. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, '\\$&');
}
