"""Allow ``python -m sfupgrade``."""

from sfupgrade.cli import main

if __name__ == "__main__":
    main()
