// Tooltip Markdown: what a reader sees is the text as written, and record text never becomes markup.
import { strict as assert } from 'node:assert';
import MarkdownIt from 'markdown-it';
import { escapeMarkdown, markdownCodeSpan } from '../../src/extension/markdownText';

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
