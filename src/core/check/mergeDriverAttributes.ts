/**
 * The `.gitattributes` lines that send incident records to the Runbook Ops merge driver (issue 6):
 * shared by `install-merge-driver` (which also sets the driver in git config) and `init`'s plan.
 */

export const MERGE_DRIVER_NAME = 'runbook-ops';
export const ATTRIBUTES_COMMENT = '# Runbook Ops: merge incident records field by field (runbook-ops install-merge-driver)';

/** `{a,b}` alternatives expanded (gitattributes patterns have no braces); nested braces are expanded too. */
export function expandBraces(glob: string): string[] {
  const open = glob.indexOf('{');
  if (open === -1) return [glob];
  let depth = 0;
  for (let i = open; i < glob.length; i++) {
    if (glob[i] === '{') depth++;
    else if (glob[i] === '}' && --depth === 0) {
      const options: string[] = [];
      let start = open + 1;
      let inner = 0;
      for (let j = open + 1; j < i; j++) {
        if (glob[j] === '{') inner++;
        else if (glob[j] === '}') inner--;
        else if (glob[j] === ',' && inner === 0) {
          options.push(glob.slice(start, j));
          start = j + 1;
        }
      }
      options.push(glob.slice(start, i));
      const rest = expandBraces(glob.slice(i + 1));
      return options.flatMap((option) => expandBraces(glob.slice(0, open) + option)).flatMap((head) => rest.map((tail) => head + tail));
    }
  }
  return [glob];
}

/** The `.gitattributes` lines that send incident records to the driver. Spaces are escaped as gitattributes needs. */
export function mergeDriverAttributeLines(incidentGlobs: readonly string[]): string[] {
  const lines = incidentGlobs.flatMap(expandBraces).map((glob) => `${glob.replace(/^\.\//, '').replace(/ /g, '[[:space:]]')} merge=${MERGE_DRIVER_NAME}`);
  return [...new Set(lines)];
}

/**
 * `.gitattributes` with the driver lines it lacks appended (after the comment line, once), keeping
 * its line endings; `addedLines` empty (and the text as it was) when they are all there.
 */
export function attributesWithDriverLines(existing: string | undefined, attributeLines: readonly string[]): { text: string; addedLines: string[] } {
  const text = existing ?? '';
  const present = new Set(text.split(/\r?\n/).map((line) => line.trim().replace(/\s+/g, ' ')));
  const addedLines = attributeLines.filter((line) => !present.has(line));
  if (addedLines.length === 0) return { text, addedLines };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const header = present.has(ATTRIBUTES_COMMENT) ? [] : [ATTRIBUTES_COMMENT];
  const separator = text === '' ? '' : text.endsWith('\n') ? '' : eol;
  return { text: `${text}${separator}${[...header, ...addedLines].join(eol)}${eol}`, addedLines };
}
