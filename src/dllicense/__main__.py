"""``python -m dllicense``."""

from dllicense.cli import run

if __name__ == "__main__":
    run()
