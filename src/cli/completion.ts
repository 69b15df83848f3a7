import { UsageError, type Output } from './output.js';
import { usages } from './usages.js';

/** What a shell can complete after `steward <command>`: its verbs and its options. */
export interface CommandWords {
  command: string;
  /** Words that may follow the command (`ledger list`, `completion bash`). */
  verbs: string[];
  /** Its `--options`, `--help` included. */
  options: string[];
}

/**
 * The words of every command, read from its usage so that completion never lists an option
 * the usage does not: a verb is a bare lowercase word right after `steward <command>` (`a|b`
 * for a choice), an option any `--name`.
 *
 * @example
 * commandWords().find((words) => words.command === 'ledger')?.verbs; // ['list', 'show', 'stats', 'check']
 */
export function commandWords(): CommandWords[] {
  return Object.entries(usages).map(([command, usage]) => {
    const verbs = new Set<string>();
    for (const line of usage.split('\n')) {
      const verb = new RegExp(`^\\s*steward ${command} ([a-z][a-z|-]*)(?:\\s|$)`).exec(line)?.[1];
      for (const word of verb?.split('|') ?? []) verbs.add(word);
    }
    const options = new Set(usage.match(/--[a-z][a-z-]*/g) ?? []);
    options.add('--help');
    return { command, verbs: [...verbs], options: [...options] };
  });
}

const globalWords = ['--help', '--version'];

function bashScript(commands: CommandWords[]): string {
  const cases = commands
    .map(
      ({ command, verbs, options }) =>
        `    ${command}) verbs="${verbs.join(' ')}"; options="${options.join(' ')}" ;;`,
    )
    .join('\n');
  return `# steward completion for bash. Load it with
#   source <(steward completion bash)
# in ~/.bashrc, or save it as ~/.local/share/bash-completion/completions/steward.
_steward() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" verbs="" options=""
  if (( COMP_CWORD == 1 )); then
    mapfile -t COMPREPLY < <(compgen -W "${commands.map((words) => words.command).join(' ')} ${globalWords.join(' ')}" -- "$cur")
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
    *) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
  elif (( COMP_CWORD == 2 )) && [[ -n "$verbs" ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$verbs" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}
complete -o filenames -F _steward steward
`;
}

function zshScript(commands: CommandWords[]): string {
  const cases = commands
    .map(
      ({ command, verbs, options }) =>
        `    ${command}) verbs=(${verbs.join(' ')}); options=(${options.join(' ')}) ;;`,
    )
    .join('\n');
  return `#compdef steward
# steward completion for zsh. Load it with
#   source <(steward completion zsh)
# in ~/.zshrc after compinit, or save it as _steward in a directory of $fpath.
_steward() {
  local -a verbs options
  if (( CURRENT == 2 )); then
    compadd -- ${commands.map((words) => words.command).join(' ')} ${globalWords.join(' ')}
    return
  fi
  case "$words[2]" in
${cases}
    *) return 1 ;;
  esac
  if [[ "$PREFIX" == -* ]]; then
    compadd -- $options
  elif (( CURRENT == 3 && $#verbs )); then
    compadd -- $verbs
  else
    _files
  fi
}
if [[ "$funcstack[1]" == _steward ]]; then
  _steward "$@"
else
  compdef _steward steward
fi
`;
}

const scripts: Record<string, (commands: CommandWords[]) => string> = {
  bash: bashScript,
  zsh: zshScript,
};

/**
 * `steward completion bash|zsh`: prints the shell's completion script for every command, its
 * verbs and its options (file names where a command takes files).
 *
 * @example
 * await completionCommand(['bash'], processOutput); // source <(steward completion bash)
 */
export async function completionCommand(args: string[], output: Output): Promise<number> {
  const [shell, ...rest] = args;
  const script = shell === undefined ? undefined : scripts[shell];
  if (!script || rest.length > 0) {
    const given = shell === undefined ? 'no shell given' : `unknown shell "${shell}"`;
    throw new UsageError(`${given}; usage: ${usages.completion}`);
  }
  output.out(script(commandWords()));
  return 0;
}
