"""``python -m dllicense``."""

from dllicense.cli import main

if __name__ == "__main__":
    main()
