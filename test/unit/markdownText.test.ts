// Tooltip Markdown: what a reader sees is the text as written, and record text never becomes markup.
import { strict as assert } from 'node:assert';
import MarkdownIt from 'markdown-it';
import { escapeMarkdown, markdownCodeSpan, quickInputText } from '../../src/extension/markdownText';

const markdown = new MarkdownIt('commonmark');

/** The text of the single code span `source` renders to (HTML entities decoded). */
function codeSpanText(source: string): string {
  const html = markdown.renderInline(source);
  const m = /^<code>([\s\S]*)<\/code>$/.exec(html);
  assert.ok(m, `${JSON.stringify(source)} rendered as ${html}, not one code span`);
  return m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

describe('tooltip Markdown', () => {
  it('shows a path in a code span exactly as written (no backslashes), whatever backticks it holds', () => {
    for (const path of ['data/analytics-api/deploy-stuck-3.md', 'a_b/*c*/[x](y).md', '<img src=x>.md', 'a`b.md', '`edge`.md', 'x``y```z.md']) {
      assert.equal(codeSpanText(markdownCodeSpan(path)), path);
    }
  });

  it('escapes text outside code spans so it stays text', () => {
    assert.equal(markdown.renderInline(escapeMarkdown('[x](http://e) *b* <i>')), '[x](http://e) *b* &lt;i&gt;');
  });
});

/**
 * What a quick input's message shows for `message`, by the workbench's own rules (parseLinkedText,
 * then renderLabelWithIcons on the text between links): links as their label, `$(name)` as an icon
 * (no text), `\\$(name)` as `$(name)`; zero-width spaces are invisible.
 */
function quickInputShows(message: string): string {
  const link = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
  const icon = /(\\)?\$\(([A-Za-z0-9-]+(?:~[A-Za-z]+)?)\)/g;
  const icons = (text: string): string => text.replace(icon, (_m, escaped: string | undefined, name: string) => (escaped ? `$(${name})` : ''));
  let shown = '';
  let last = 0;
  for (const m of message.matchAll(link)) {
    shown += icons(message.slice(last, m.index)) + m[1];
    last = m.index + m[0].length;
  }
  return (shown + icons(message.slice(last))).replace(/\u200b/g, '');
}

describe('quick input text', () => {
  it('shows a command exactly as written: no icons, no links, line breaks as ⏎', () => {
    const commands = [
      'echo $(date) $(whoami~spin) \\$(hostname) $(kubectl get pods)',
      'curl [docs](https://example.com/x) [a](command:workbench.action.quit) [f](FILE:/etc/passwd)',
      "rm -rf /tmp/x\nls -l '$(id)'",
    ];
    for (const command of commands) assert.equal(quickInputShows(quickInputText(command)), command.replace(/\n/g, ' ⏎ '));
    assert.equal(quickInputShows('echo $(date)'), 'echo ', 'the rules above do hide an unescaped icon');
  });
});
