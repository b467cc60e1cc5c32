"""Subcommands beyond ``scan``: each module exposes ``add_arguments(parser)`` and
``run(args, ctx) -> Report``; the CLI applies selection, suppressions, baselines, reporting and the
exit code to whatever ``run`` returns, the same way for every subcommand."""
