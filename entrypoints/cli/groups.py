"""How every command group of `imagestudio` is made, and how a usage error leaves it.

Help is click's plain text, not rich's boxes: drawing the boxes imports rich, which alone would
cost `--help` more than its whole budget (bench/cli_startup.py). A usage error (a missing
argument, an unknown option or command, a value of the wrong type) ends like every other
failure: one `error: …` line on stderr and exit code 2."""

from __future__ import annotations

import re
import sys
from typing import IO, Any

import typer
from typer._click import Context
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperGroup

from imagestudio.entrypoints.cli.errors import EXIT_CLOSED_PIPE, EXIT_INPUT, EXIT_INTERRUPTED
from imagestudio.entrypoints.cli.output import asked_for_json, flushed, print_json_error


def command_group(help: str, **options: Any) -> typer.Typer:
    return typer.Typer(help=help, rich_markup_mode=None, **options)


SERVERS = frozenset({"serve", "sandbox"})
"""The commands that only serve until Ctrl-C stops them."""


class OneLineUsageError(ClickException):
    exit_code = EXIT_INPUT

    def show(self, file: IO[Any] | None = None) -> None:
        if asked_for_json():
            print_json_error("UsageError", self.message)
        (file or sys.stderr).write(f"error: {self.message}\n")


def one_line(error: UsageError) -> OneLineUsageError:
    """`Missing argument 'PROMPT'.` → `missing argument 'PROMPT' (see imagestudio generate
    --help)`: click's sentence on one line, in the shape of our other errors, with where to
    look."""
    message = re.sub(r"\s*\n\s*", " ", error.format_message().strip()).rstrip(".")
    message = message.replace(": Value error, ", ": ")  # pydantic's wrapping, as typer passes it
    if message[:1].isupper() and not message[1:2].isupper():
        message = message[0].lower() + message[1:]
    if error.ctx is not None:
        message += f" (see {error.ctx.command_path} --help)"
    return OneLineUsageError(message)


class RootGroup(TyperGroup):
    """The `imagestudio` group: its own usage errors and every command's are one line.

    Usage errors of subcommands surface while this group parses (its `make_context`) or runs
    (its `invoke`) them, so these two cover all; `imagestudio` alone still prints the help."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Context | None = None,
        **extra: Any,
    ) -> Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except NoArgsIsHelpError:
            raise
        except UsageError as error:
            raise one_line(error) from error
        except BrokenPipeError:  # `--help | head -1`: the help is printed while parsing
            raise _closed_pipe() from None

    def invoke(self, ctx: Context) -> Any:
        try:
            answer = super().invoke(ctx)
        except NoArgsIsHelpError:
            raise
        except UsageError as error:
            raise one_line(error) from error
        except BrokenPipeError:
            raise _closed_pipe() from None
        except KeyboardInterrupt:
            # An operation's own interruption says more (running.py); a server Ctrl-C stops
            # as it should says nothing; the rest say this.
            if ctx.invoked_subcommand not in SERVERS:
                if asked_for_json():
                    print_json_error("Interrupted", "interrupted")
                sys.stderr.write("error: interrupted\n")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except (typer.Exit, SystemExit) as ending:
            code = ending.exit_code if isinstance(ending, typer.Exit) else ending.code
            if not flushed() and not code:
                raise _closed_pipe() from None
            raise  # a failure's own code stands, its reader gone or not
        if not flushed():  # here, not at exit: a reader gone away is known now
            raise _closed_pipe()
        return answer


def _closed_pipe() -> typer.Exit:
    """The reader stopped reading (`| head -1`): what was printed stands, and the exit code
    says so, as for a command killed by SIGPIPE (click's own was a silent 1, or 0 when the
    output happened to fit the pipe before the reader left)."""
    flushed()
    return typer.Exit(EXIT_CLOSED_PIPE)
