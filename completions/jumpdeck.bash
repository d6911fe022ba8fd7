# bash completion for jumpdeck                             -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/jumpdeck. The words
# come from jumpdeck itself (`jumpdeck __complete WORD...`): commands and
# options from its own tables, contexts from the kubeconfig, images from
# the config, nodes and Flux objects from a one-minute cache or the
# cluster. jumpdeck answers within three seconds, whatever the cluster
# does.

_jumpdeck()
{
	local cur prev words cword out
	if declare -F _init_completion >/dev/null 2>&1; then
		# bash-completion: keep --opt=value and image:tag whole
		_init_completion -n =: || return
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]}
	fi
	out=$("${words[0]}" __complete -- "${words[@]:1:cword}" 2>/dev/null)
	if [[ $out == ":files" ]]; then
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
	fi
	mapfile -t COMPREPLY < <(compgen -W "$out" -- "$cur")
	if declare -F __ltrim_colon_completions >/dev/null 2>&1; then
		__ltrim_colon_completions "$cur"
	fi
	return 0
}
complete -F _jumpdeck jumpdeck
