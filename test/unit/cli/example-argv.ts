// Turns a help example into the argv kubectl berth would receive: renders the <%= %> template,
// finds `kubectl berth` on the line, and reads words (with shell quoting) up to the first pipe,
// redirection or other shell operator.

export interface ExampleContext {
  bin: string;
  /** Command id with spaces. */
  id: string;
}

export function renderExample(text: string, ctx: ExampleContext): string {
  const out = text.replace(/<%=\s*config\.bin\s*%>/g, ctx.bin).replace(/<%=\s*command\.id\s*%>/g, ctx.id);
  if (out.includes('<%')) throw new Error(`unsupported template in example: ${text}`);
  return out;
}

/** Shell words of `line`, stopping at an unquoted | ; & < > ( ) or backtick. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const push = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  while (i < line.length) {
    const ch = line[i];
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      let j = i + 1;
      let text = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) j++;
        text += line[j++];
      }
      if (j >= line.length) throw new Error(`unterminated " in: ${line}`);
      word = (word ?? '') + text;
      i = j + 1;
    } else if (ch === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[i + 1];
      i += 2;
    } else if (/\s/.test(ch)) {
      push();
      i++;
    } else if ('|;&<>()`'.includes(ch)) {
      break;
    } else {
      word = (word ?? '') + ch;
      i++;
    }
  }
  push();
  return words;
}

/** The argv after `bin` for every line of the example that runs it (none for prose lines). */
export function exampleInvocations(rendered: string, bin: string): string[][] {
  const invocations: string[][] = [];
  for (const line of rendered.split('\n')) {
    const at = line.indexOf(`${bin} `);
    if (at < 0 && !line.trimEnd().endsWith(bin)) continue;
    const start = at < 0 ? line.lastIndexOf(bin) : at;
    invocations.push(shellWords(line.slice(start + bin.length)));
  }
  return invocations;
}
