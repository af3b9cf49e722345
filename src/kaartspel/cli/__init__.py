"""The command line: the Typer app, the glue behind each command, terminal reporting."""
