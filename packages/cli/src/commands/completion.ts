import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../exitCodes';

/** Every command path (`''`, `pipelines`, `pipelines apply`, …) with its words to complete. */
function completionTable(program: Command): Array<[string, string[]]> {
  const table: Array<[string, string[]]> = [];
  const walk = (command: Command, path: string[]) => {
    const words = [
      ...command.commands.map(c => c.name()),
      ...command.options.map(o => o.long).filter((l): l is string => !!l),
      '--help',
    ];
    table.push([path.join(' '), words]);
    for (const sub of command.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return table;
}

function bashScript(program: Command): string {
  const cases = completionTable(program)
    .map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`)
    .join('\n');
  return `# bash completion for ingestion: eval "$(ingestion completion bash)"
_ingestion_complete() {
  local cur path word i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    case "\${path:+$path }$word" in
${completionTable(program)
  .filter(([path]) => path !== '')
  .map(([path]) => `      "${path}") path="${path}" ;;`)
  .join('\n')}
    esac
  done
  local words=""
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  if [[ \${#COMPREPLY[@]} -eq 0 ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o default -F _ingestion_complete ingestion
`;
}

function zshScript(program: Command): string {
  return `#compdef ingestion
# zsh completion for ingestion: eval "$(ingestion completion zsh)"
autoload -U +X bashcompinit && bashcompinit
${bashScript(program)}`;
}

/** `completion bash|zsh`: a script completing commands and options. */
export function registerCompletionCommand(
  program: Command,
  ctx: CommandContext,
) {
  program
    .command('completion')
    .description(
      'Print a completion script: eval "$(ingestion completion bash)" in ~/.bashrc, or zsh in ~/.zshrc',
    )
    .argument('<shell>', 'bash or zsh')
    .action((shell: string) => {
      if (shell === 'bash') ctx.out(bashScript(program));
      else if (shell === 'zsh') ctx.out(zshScript(program));
      else throw new CliError('completion: bash or zsh', EXIT.USAGE);
    });
}
