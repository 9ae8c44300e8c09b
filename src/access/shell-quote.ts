// ssh runs a ProxyCommand through the user's shell after expanding its %-tokens, so the argv we
// mean must be quoted for both. This is the one place where a command becomes a string.

const SAFE = /^[A-Za-z0-9_@+=:,./-]+$/;

/** POSIX single-quoting: the word reaches the program unchanged. */
export function shellQuote(word: string): string {
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** An argv as an ssh_config ProxyCommand value: shell-quoted and with '%' escaped as '%%'. */
export function proxyCommandString(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ').replace(/%/g, '%%');
}
