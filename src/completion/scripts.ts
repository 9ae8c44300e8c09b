// Shell scripts for completing `kubectl-berth` when it is run directly (not through kubectl).
// Each asks the same completer kubectl uses, kubectl_complete-berth, and applies its directive.
// Pure: the completer's path is passed in (used when it is not on PATH).

const shq = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export function bashScript(completer: string): string {
  return `# bash completion for kubectl-berth (run directly). Load it with:
#   source <(kubectl-berth completion bash)
__kubectl_berth_complete() {
  local completer=kubectl_complete-berth
  command -v "$completer" >/dev/null 2>&1 || completer=${shq(completer)}
  local cur words cword
  if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
    _get_comp_words_by_ref -n "=:@" cur words cword
  else
    # Without bash-completion, split the line ourselves: COMP_WORDS breaks --flag=value apart.
    local line=\${COMP_LINE:0:COMP_POINT}
    read -ra words <<<"$line"
    [[ -z $line || $line == *[[:space:]] ]] && words+=("")
    cword=$(( \${#words[@]} - 1 )); cur=\${words[cword]}
  fi
  local out
  out=$("$completer" "\${words[@]:1:cword-1}" "$cur" 2>/dev/null) || return
  local directive=\${out##*:}
  out=\${out%:*}
  (( directive & 1 )) && return
  (( directive & 2 )) && compopt -o nospace 2>/dev/null
  (( directive & 4 )) && compopt +o default 2>/dev/null
  local prefix="" line
  # bash splits words at COMP_WORDBREAKS (= : @): candidates replace only the text after the break.
  if [[ $cur == *[=:@]* ]]; then prefix=\${cur%"\${cur##*[=:@]}"}; fi
  COMPREPLY=()
  while IFS= read -r line; do
    [[ -z $line ]] && continue
    line=\${line%%$'\\t'*}
    COMPREPLY+=("\${line#"$prefix"}")
  done <<<"$out"
}
complete -o default -F __kubectl_berth_complete kubectl-berth
`;
}

export function zshScript(completer: string): string {
  return `#compdef kubectl-berth
# zsh completion for kubectl-berth (run directly). Load it with:
#   source <(kubectl-berth completion zsh)
__kubectl_berth_complete() {
  local completer=kubectl_complete-berth
  (( $+commands[$completer] )) || completer=${shq(completer)}
  local -a lines candidates
  local out directive line value desc
  out=$("$completer" "\${(@)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null) || return 1
  lines=("\${(@f)out}")
  directive=\${lines[-1]#:}
  lines=("\${(@)lines[1,-2]}")
  (( directive & 1 )) && return 1
  for line in $lines; do
    [[ -z $line ]] && continue
    value=\${line%%$'\\t'*}
    desc=\${line#*$'\\t'}
    [[ $desc == $line ]] && desc=""
    candidates+=("\${value//:/\\\\:}\${desc:+:$desc}")
  done
  if (( \${#candidates} == 0 )); then
    (( directive & 4 )) && return 1
    _files
    return
  fi
  if (( directive & 2 )); then
    _describe -t berth 'kubectl berth' candidates -S ''
  else
    _describe -t berth 'kubectl berth' candidates
  fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  __kubectl_berth_complete "$@"
else
  compdef __kubectl_berth_complete kubectl-berth
fi
`;
}

export function fishScript(completer: string): string {
  return `# fish completion for kubectl-berth (run directly). Load it with:
#   kubectl-berth completion fish | source
function __kubectl_berth_complete
    set -l completer kubectl_complete-berth
    command -q $completer; or set completer ${shq(completer)}
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l current (commandline -ct)
    set -l out ($completer $tokens $current 2>/dev/null)
    or return
    set -l directive (string replace ':' '' -- $out[-1])
    set -e out[-1]
    test (math "floor($directive / 1) % 2") -eq 1; and return
    if test (count $out) -eq 0
        test (math "floor($directive / 4) % 2") -eq 1; and return
        __fish_complete_path $current
        return
    end
    printf '%s\\n' $out
end
complete -c kubectl-berth -f -a '(__kubectl_berth_complete)'
`;
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell, completer: string): string {
  return shell === 'bash' ? bashScript(completer) : shell === 'zsh' ? zshScript(completer) : fishScript(completer);
}
