"""One module per `shopassist` subcommand; each defines `register(subparsers, parents)`."""
