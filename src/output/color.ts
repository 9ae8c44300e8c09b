// Colour is decoration for a person at a terminal. It is never written into pipes or files, never
// when NO_COLOR is set (no-color.org), and FORCE_COLOR turns it on for CI logs that render ANSI.
// Table cells stay plain: kubectl does not colour them, and escape codes would break the padding.

export interface ColorTarget {
  isTTY?: boolean;
}

/** Whether text written to `stream` may carry ANSI colour. */
export function colorEnabled(stream: ColorTarget = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export type Paint = (text: string) => string;

export interface Palette {
  enabled: boolean;
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
}

const sgr = (open: number, close: number): Paint => (text) => `\u001B[${open}m${text}\u001B[${close}m`;
const plain: Paint = (text) => text;

/** Colour functions for one stream; each is the identity when colour is off. */
export function palette(stream: ColorTarget = process.stdout, env: NodeJS.ProcessEnv = process.env): Palette {
  const on = colorEnabled(stream, env);
  return {
    enabled: on,
    bold: on ? sgr(1, 22) : plain,
    dim: on ? sgr(2, 22) : plain,
    red: on ? sgr(31, 39) : plain,
    green: on ? sgr(32, 39) : plain,
    yellow: on ? sgr(33, 39) : plain,
    cyan: on ? sgr(36, 39) : plain,
  };
}

/** The palette for messages, warnings and progress (stderr). */
export function stderrPalette(env: NodeJS.ProcessEnv = process.env): Palette {
  return palette(process.stderr, env);
}

/** Removes ANSI escape sequences, e.g. to measure the visible width of a painted string. */
export function stripColor(text: string): string {
  return text.replace(/\u001B\[[0-9;]*m/g, '');
}
