# bash completion for spxfs, spxbox, spxbox-oci and spxaudit. The options
# come from the program's own --help, so completion and --help never
# disagree; files and directories complete everywhere else.
_spx_complete()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	if [[ $COMP_CWORD -eq 1 && ($1 == spxaudit || $1 == spxbox-oci) && $cur != -* ]]; then
		local cmds
		cmds=$("$1" --help 2>/dev/null | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
		mapfile -t COMPREPLY < <(compgen -W "$cmds" -- "$cur")
		return
	fi
	if [[ $cur == -* ]]; then
		local opts
		opts=$("$1" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -o filenames -F _spx_complete spxfs spxbox spxbox-oci spxaudit
