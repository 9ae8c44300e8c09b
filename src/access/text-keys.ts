// The page's "type this text" (src/access/web/page.js): text becomes X keysyms the way a US keyboard
// would type it. A VM's console has no clipboard to paste into, so pasting means typing; and QEMU's
// VNC server turns a keysym into a scancode without pressing Shift itself, so the keys that need
// Shift carry it. Pure; the page bundles it with esbuild.

export interface TypedKey {
  keysym: number;
  shift: boolean;
}

const RETURN = 0xff0d;
const TAB = 0xff09;
const SHIFTED = '~!@#$%^&*()_+{}|:"<>?';

/** One key a character, in order; characters outside Latin-1 get Unicode keysyms (0x01000000 + code point). */
export function textToKeys(text: string): TypedKey[] {
  const keys: TypedKey[] = [];
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    const code = ch.codePointAt(0)!;
    if (ch === '\n') keys.push({ keysym: RETURN, shift: false });
    else if (ch === '\t') keys.push({ keysym: TAB, shift: false });
    else if (code < 0x20 || code === 0x7f) continue;
    else if (code < 0x100) keys.push({ keysym: code, shift: (ch >= 'A' && ch <= 'Z') || SHIFTED.includes(ch) });
    else keys.push({ keysym: 0x01000000 + code, shift: false });
  }
  return keys;
}
